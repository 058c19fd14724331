/** The port tools: list_ports, wait_for_port, expose, unexpose, set_visibility (the CLI's ports, wait, expose, unexpose, share). */
import { z } from 'zod';
import { expose, unexpose } from '../cli/expose';
import { ports } from '../cli/ports';
import { share } from '../cli/share';
import { wait } from '../cli/wait';
import { runCommand } from './result';
import { flag, tool } from './tool';

const port = z.number().int().describe('A TCP port number on this machine, 1-65535');
const visibility = z
  .enum(['private', 'org', 'link', 'public'])
  .describe(
    'Who may open the port\'s URL: "private" (only the owner: use login_url for a browser), ' +
      '"org" (the owner\'s organisation, people signed in at the gateway whom the session\'s policy admits, ' +
      'and reviewer-link holders; refused with org_policy_missing when the session has no org policy), ' +
      '"link" (holders of a reviewer link from create_link) or "public" (anyone with the URL)',
  );
/** A duration as the CLI takes it: seconds as a number, or text such as "30s", "10m", "1h30m", "500ms". */
export const duration = z
  .union([z.number().positive(), z.string()])
  .describe('A duration: seconds as a number, or text such as "500ms", "30s", "10m", "1h30m", "7d"');

export const portTools = [
  tool({
    name: 'list_ports',
    title: 'List ports',
    description:
      'Lists the ports this machine exposes through Porthole, each with its preview URL, visibility ' +
      '(private, org, link, public), label, process, source and whether a server listens on it now. Use it to ' +
      'find the URL of a server you started, or to check what is exposed. Same JSON as `porthole ports --json` ' +
      '(structuredContent puts the list under "ports").',
    input: {},
    listKey: 'ports',
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: (_input, control) => runCommand(ports, 'ports', [], control),
  }),
  tool({
    name: 'wait_for_port',
    title: 'Wait for a port',
    description:
      'Waits until a port has a preview URL and a request to it through the gateway is answered by the ' +
      'server on the port (not by a Porthole error page), then answers {"port","url"}. Use it right after ' +
      'starting a dev server, before opening or sharing the URL. Fails at once (not_exposed) for a port ' +
      'Porthole will not expose by itself (then call expose), and with "timeout" after `timeout` ' +
      '(default 30 seconds; its "lastAnswer" says what the last try got). Same JSON as `porthole wait <port> --json`.',
    input: {
      port,
      timeout: duration.optional().describe('How long to wait at most; default 30 seconds'),
      status: z
        .union([z.number().int(), z.string()])
        .optional()
        .describe(
          'Wait until the server answers with this HTTP status (200) or class of them ("2xx"); ' +
            "default: any answer of the server's own (not a Porthole error page)",
        ),
    },
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: ({ port, timeout, status }, control) =>
      runCommand(wait, 'wait', [...flag('timeout', timeout), ...flag('status', status), '--', `${port}`], control),
  }),
  tool({
    name: 'expose',
    title: 'Expose a port',
    description:
      'Exposes any port (also one Porthole leaves out by itself: the ephemeral range, --ignore, ' +
      'unexposed earlier) until unexpose or the client ends, whether or not a server listens on it yet; ' +
      'answers the port with its URL. Same JSON as `porthole expose <port> --json`.',
    input: {
      port,
      label: z
        .string()
        .optional()
        .describe('What to call the port (1-64 characters), shown in lists and the dashboard'),
      visibility: visibility.optional().describe("Who may open it; default private (an owner's earlier choice wins)"),
    },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    run: ({ port, label, visibility }, control) =>
      runCommand(
        expose,
        'expose',
        [...flag('label', label), ...flag('visibility', visibility), '--', `${port}`],
        control,
      ),
  }),
  tool({
    name: 'unexpose',
    title: 'Stop exposing a port',
    description:
      'Stops exposing a port, whatever exposed it: its URL answers "not exposed" from now on, even while a ' +
      'server listens, until expose is called for it. Same JSON as `porthole unexpose <port> --json`.',
    input: { port },
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    run: ({ port }, control) => runCommand(unexpose, 'unexpose', ['--', `${port}`], control),
  }),
  tool({
    name: 'set_visibility',
    title: 'Set who may open a port',
    description:
      "Sets who may open a port's URL: private, org, link or public. The choice is kept for that port number " +
      'while the session lives. "org" needs an organisation (a session policy, or the gateway\'s ORG_EMAIL_DOMAINS ' +
      'or ORG_GROUPS): without one it is refused (org_policy_missing) and the port keeps its visibility. ' +
      'Same JSON as `porthole share <port> <visibility> --json`.',
    input: { port, visibility },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    run: ({ port, visibility }, control) => runCommand(share, 'share', ['--', `${port}`, visibility], control),
  }),
];
