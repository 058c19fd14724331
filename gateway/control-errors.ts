/**
 * The control plane's refusals (README, "Control plane API" and "Owner API") and those of the
 * client's WebSocket data connections: each a GatewayError with a stable code, rendered by the one
 * error path in errors.ts.
 */
import { GatewayError } from './errors';

// ── the control plane (README, "Control plane" and "Owner API") ──────────

/** Bad input to the control plane, `message` saying what was expected. */
export const badRequest = (message: string) => new GatewayError(400, 'bad_request', message);

/** A control-plane JSON body over `maxBytes` (routes/input.ts MAX_JSON_BODY). */
export const bodyTooLarge = (maxBytes: number) =>
  new GatewayError(413, 'body_too_large', `The request body is over ${maxBytes / 1024} KiB.`);

/** A control-plane route asked with a method it does not take: 405 with `Allow: <allow>` (RFC 9110 §15.5.6). */
export const methodNotAllowed = (allow: string, message: string) =>
  new GatewayError(405, 'method_not_allowed', message, { headers: { allow } });

/** `POST /api/sessions` on a gateway without ADMIN_TOKEN. */
export const adminTokenUnset = () =>
  new GatewayError(500, 'misconfigured', 'The gateway is not configured: ADMIN_TOKEN is not set.');

/** `GET /connect` without `Upgrade: websocket`. */
export const tunnelNeedsUpgrade = () =>
  new GatewayError(426, 'upgrade_required', 'The tunnel is a WebSocket: connect with Upgrade: websocket.');

/** `GET /connect` whose client does not offer `subprotocol`. */
export const unsupportedProtocol = (subprotocol: string) =>
  new GatewayError(
    400,
    'unsupported_protocol',
    `This gateway speaks only ${subprotocol}: run a client of the same Porthole version as the gateway.`,
  );

/** A share link past the session's limit; `message` says which limit. */
export const tooManyLinks = (message: string) => new GatewayError(409, 'too_many_links', message);

/** An owner request the session's client must carry out (EXPOSE, UNEXPOSE) while no tunnel is connected. */
export const sessionOfflineForOwner = () =>
  new GatewayError(
    409,
    'offline',
    "The session's client is not connected, so nothing can be exposed or unexposed now. Start it, then try again.",
  );

/** Owner requests to expose or unexpose faster than the session takes them (OWNER_EXPOSE_PER_SECOND). */
export const tooManyExposeRequests = (perSecond: number) =>
  new GatewayError(
    429,
    'too_many_requests',
    `At most ${perSecond} expose and unexpose requests a second per session. Try again in a moment.`,
    { headers: { 'retry-after': '1' } },
  );

/** Owner visibility choices past the session's rate (session/shares.ts): each rewrites its stored shares. */
export const tooManyVisibilityChoices = (perSecond: number) =>
  new GatewayError(
    429,
    'too_many_requests',
    `At most ${perSecond} visibility changes a second per session. Try again in a moment.`,
    { headers: { 'retry-after': '1' } },
  );

/** An owner's EXPOSE of a new port while the session's table is full: its client would be closed for good. */
export const tooManyPortsForOwner = (maxPorts: number) =>
  new GatewayError(
    409,
    'too_many_ports',
    `The session already holds ${maxPorts} ports (MAX_PORTS): one more would close its client for good. Unexpose a port first.`,
  );

/** A session's event feeds are all open (protocol/api.ts MAX_EVENT_FEEDS): one must end first. */
export const tooManyFeeds = (max: number) =>
  new GatewayError(
    429,
    'too_many_feeds',
    `At most ${max} event feeds may be open per session. Close one (or wait for a dropped one to be noticed), then try again.`,
    { headers: { 'retry-after': '5' } },
  );

/** `DELETE /links/<id>` of a link that is not live. */
export const noSuchLink = (id: string) =>
  new GatewayError(404, 'no_such_link', `There is no live link ${JSON.stringify(id)} in this session.`);

// ── WebSocket data connections (docs/protocol.md, "Upgraded streams") ───

/** `GET /connect/ws` without a stream id the gateway could ever have opened (a u32 other than 0). */
export const badDataStream = () =>
  new GatewayError(400, 'bad_request', 'A WebSocket data connection needs ?stream=<id>, a stream id from 1 to 2^32-1.');

/** `GET /connect/ws` for a stream that is no WebSocket waiting for its data connection in this session. */
export const unknownDataStream = (id: number) =>
  new GatewayError(
    404,
    'unknown_stream',
    `No WebSocket of this session is waiting for its data connection on stream ${id} (never opened, not an upgrade, or already ended).`,
  );

/** `GET /connect/ws` for a stream whose data connection was already made. */
export const dataStreamAttached = (id: number) =>
  new GatewayError(409, 'stream_attached', `Stream ${id} already has its data connection.`);
