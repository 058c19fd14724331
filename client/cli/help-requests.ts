/** Help texts of `porthole requests` and `porthole replay`. */
import { CONTROL } from './help';

export const REQUESTS_HELP = `Usage: porthole requests [filters] [--limit N] [--follow] [--json]
       porthole requests <id> [--json]

Lists the requests the running client served (its request log, in memory):
time, id, viewer, method, path, status (or Porthole's error code), time to
the response head and to the end in ms, and body bytes in and out. With an
id, shows that request in full: headers (credentials redacted) and bodies
(text as text, binary as size and SHA-256).

  porthole requests --status 5xx          which request got the 500?
  porthole requests --follow --port 3000  watch requests as they end
  porthole requests 42                    one request in full

Filters:
  --port <n>            Requests to this port
  --status <s>          A class (5xx), a status (404), or error (Porthole
                        answered instead of the app, or the stream ended early)
  --method <m>          GET, POST, …
  --path <prefix>       Paths starting with this, e.g. /api/
  --viewer <kind>       owner, link, public, preflight or replay

Options:
  --limit <n>           The newest n matches (default 100; with --follow the
                        n newest before the live ones, default 10)
  -f, --follow          Keep printing requests as they end (WebSockets also
                        as they open) until Ctrl-C
  --json                The control API's JSON: an array of summaries, or the
                        request in full; with --follow one summary per line
                        (NDJSON), each request as its head comes ("state":
                        "open") and as it ends
${CONTROL}

Exit status: 0 listed (or followed until Ctrl-C); 1 no such request, no
client running, or the client stopped while following; 2 bad usage.
`;

export const REPLAY_HELP = `Usage: porthole replay <id> [--port N] [--json]

Sends request <id> of the request log (porthole requests) to its origin
again, as the gateway sent it the first time: method, path, headers (with
their real credentials) and body, through the same origin code (Host
rewriting, framing). Prints the new answer: status, headers and the start of
the body. The replay is in the log too, with viewer "replay".

  porthole requests --status 5xx
  porthole replay 42                      after fixing the bug

Options:
  --port <n>            Send it to this port instead (e.g. a second server)
  --json                The replay in full as the control API gives it
                        (porthole requests <id> --json)
${CONTROL}

Refused (exit 1): a request no longer in the log (request_not_found), a body
the log kept only in part (body_truncated), a WebSocket
(cannot_replay_websocket), more than 4 replays at once (too_many_replays).
An origin that is down is a replay that happened: exit 0, the record says
origin_unreachable.

Exit status: 0 replayed (whatever the origin answered); 1 refused or no
client running; 2 bad usage.
`;
