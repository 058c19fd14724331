/**
 * The request log tools: list_requests, get_request, replay_request (the CLI's `porthole
 * requests`, `porthole requests <id>` and `porthole replay <id>`, whose JSON is the control API's:
 * GET /v1/requests, GET /v1/requests/<id>, POST /v1/requests/<id>/replay).
 */
import { z } from 'zod';
import { replay } from '../cli/replay';
import { requests } from '../cli/requests';
import { runCommand } from './result';
import { flag, tool } from './tool';

const id = z.number().int().positive().describe("The request's id, as list_requests gave it");

export const requestTools = [
  tool({
    name: 'list_requests',
    title: 'List requests that reached the preview',
    description:
      'Lists the requests the preview URLs served, oldest first (the newest `limit`): id, time, port, ' +
      'method, path, viewer (owner, link with its id, public, preflight, replay), status, error code when ' +
      'Porthole answered instead of the app, timings in milliseconds and bytes each way. Use it to see ' +
      "whether a reviewer's click or a webhook arrived and which request failed; then get_request for " +
      'headers and bodies. Same JSON as `porthole requests --json` (structuredContent puts the list under ' +
      '"requests").',
    input: {
      port: z.number().int().optional().describe('Only requests to this port'),
      status: z
        .string()
        .optional()
        .describe('Only these answers: a class such as "5xx", a status such as "404", or "error" (Porthole answered)'),
      method: z.string().optional().describe('Only this HTTP method, e.g. "POST"'),
      path: z.string().optional().describe('Only paths starting with this, e.g. "/api/"'),
      viewer: z
        .enum(['owner', 'org', 'link', 'public', 'preflight', 'replay'])
        .optional()
        .describe('Only requests from this kind of viewer'),
      limit: z.number().int().positive().optional().describe('At most this many (the newest); default 100'),
    },
    listKey: 'requests',
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: ({ port, status, method, path, viewer, limit }, control) => {
      const filters = { port, status, method, path, viewer, limit };
      const flags = Object.entries(filters).flatMap(([name, value]) => flag(name, value));
      return runCommand(requests, 'requests', flags, control);
    },
  }),
  tool({
    name: 'get_request',
    title: 'Read one request',
    description:
      'One request in full: its summary plus request and response headers (credentials redacted) and ' +
      'bodies as far as the log kept them (text as "text", binary as "base64"; "bytes", "captured", ' +
      '"truncated", "sha256"). Fails with request_not_found once it has left the log. Same JSON as ' +
      '`porthole requests <id> --json`.',
    input: { id },
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: ({ id }, control) => runCommand(requests, 'requests', ['--', `${id}`], control),
  }),
  tool({
    name: 'replay_request',
    title: 'Replay a request',
    description:
      'Sends a logged request to the server again (same method, path, headers and body, to the same port ' +
      'or to `port`) and answers the new request in full once it has ended (its "replayOf" is the old id). ' +
      'Use it to check a fix against the exact request that failed. An origin that is down still ' +
      "replays (the record's error says origin_unreachable). Refused with request_not_found, " +
      'body_truncated (the body was not kept whole), cannot_replay_websocket, request_in_flight ' +
      '(its body is still arriving) or too_many_replays (4 at once: try again). Same JSON as ' +
      '`porthole replay <id> --json`.',
    input: { id, port: z.number().int().optional().describe('Send it to this port instead (1-65535)') },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    run: ({ id, port }, control) => runCommand(replay, 'replay', [...flag('port', port), '--', `${id}`], control),
  }),
];
