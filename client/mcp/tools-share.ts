/** The share tools: create_link, list_links, revoke_link, login_url (the CLI's link, links, revoke, login). */
import { z } from 'zod';
import { link, links, login, revoke } from '../cli/share';
import { runCommand } from './result';
import { flag, tool } from './tool';
import { duration } from './tools-ports';

const port = z.number().int().describe('A TCP port number on this machine, 1-65535');

export const shareTools = [
  tool({
    name: 'create_link',
    title: 'Create a reviewer link',
    description:
      "Creates a reviewer link to a port: a URL a person (or a browser) opens to get in while the port's " +
      'visibility is "link" (set it with set_visibility; the answer has a warning while it is private). ' +
      'Answers {"id","url","port","expiresAt","label"}; revoke it with revoke_link and its id. Same JSON as ' +
      '`porthole link <port> --json`.',
    input: {
      port,
      ttl: duration.optional().describe('How long the link works: 60 seconds to 30 days; default 24 hours'),
      label: z.string().optional().describe('A note to tell links apart, e.g. who it is for'),
    },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    run: ({ port, ttl, label }, control) =>
      runCommand(link, 'link', [...flag('ttl', ttl), ...flag('label', label), '--', `${port}`], control),
  }),
  tool({
    name: 'list_links',
    title: 'List reviewer links',
    description:
      'Lists the live reviewer links of the session: id, url, port, expiresAt (ISO 8601) and label. Same ' +
      'JSON as `porthole links --json` (structuredContent puts the list under "links").',
    input: {},
    listKey: 'links',
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: (_input, control) => runCommand(links, 'links', [], control),
  }),
  tool({
    name: 'revoke_link',
    title: 'Revoke a reviewer link',
    description:
      'Revokes a reviewer link at once (a viewer who came in with it is cut off). Answers the revoked ' +
      'link. Same JSON as `porthole revoke <id> --json`.',
    input: { id: z.string().describe("The link's id, as create_link or list_links gave it") },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    run: ({ id }, control) => runCommand(revoke, 'revoke', ['--', id], control),
  }),
  tool({
    name: 'login_url',
    title: 'One-time owner login URL',
    description:
      'Makes a one-time URL that logs a browser in as the owner of a port and then opens it: give it to a ' +
      'headless browser (Playwright, Puppeteer) to test a private port. It works once, within `ttl`. ' +
      'Answers {"url","port","expiresAt"}. Same JSON as `porthole login <port> --json`.',
    input: {
      port,
      ttl: duration
        .optional()
        .describe('How long the URL waits to be opened: 60 seconds to 24 hours; default 10 minutes'),
    },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    run: ({ port, ttl }, control) => runCommand(login, 'login', [...flag('ttl', ttl), '--', `${port}`], control),
  }),
];
