/**
 * The request log tools: list_requests, get_request, replay_request. They ask the control API
 * (GET /v1/requests, GET /v1/requests/<id>, POST /v1/requests/<id>/replay), whose JSON is what
 * `porthole requests --json` and `porthole replay --json` print.
 */
import { z } from 'zod';
import { callJson } from '../control/client';
import { capture } from './result';
import { tool } from './tool';

const id = z.number().int().positive().describe("The request's id, as list_requests gave it");

/** `porthole <name> --json` of the control call `method route [body]`. */
function controlCall(name: string, control: string, method: string, route: string, body?: unknown) {
  return capture(name, async (out) => {
    out.result(await callJson<unknown>(control, method, route, body), '');
    return 0;
  });
}

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
        .enum(['owner', 'link', 'public', 'preflight', 'replay'])
        .optional()
        .describe('Only requests from this kind of viewer'),
      limit: z.number().int().positive().optional().describe('At most this many (the newest); default 100'),
    },
    listKey: 'requests',
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: (input, control) => {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(input)) if (value !== undefined) query.set(key, String(value));
      const search = query.size > 0 ? `?${query}` : '';
      return controlCall('requests', control, 'GET', `/v1/requests${search}`);
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
    run: ({ id }, control) => controlCall('requests', control, 'GET', `/v1/requests/${id}`),
  }),
  tool({
    name: 'replay_request',
    title: 'Replay a request',
    description:
      'Sends a logged request to the server again (same method, path, headers and body, to the same port ' +
      'or to `port`) and answers the new request in full once it has ended (its "replayOf" is the old id). ' +
      'Use it to check a fix against the exact request that failed. Refused with request_not_found, ' +
      'body_truncated (the body was not kept whole) or cannot_replay_websocket. Same JSON as ' +
      '`porthole replay <id> --json`.',
    input: { id, port: z.number().int().optional().describe('Send it to this port instead (1-65535)') },
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    run: ({ id, port }, control) =>
      controlCall('replay', control, 'POST', `/v1/requests/${id}/replay`, port === undefined ? {} : { port }),
  }),
];
