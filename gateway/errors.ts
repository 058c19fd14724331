/**
 * The one error class of the gateway, the one path every failure takes to
 * become a Response, and every failure a viewer or client can see, each a
 * GatewayError with a stable code (the README's tables list them; access
 * refusals, 401/403/410, are in access/refusals.ts). pages/error-page.ts
 * renders them.
 */
import { resetAnswer, StreamLimitError, StreamResetError, VIEWER_LEFT } from '../protocol';
import { errorPage } from './pages/error-page';
import { decodeRpcError } from './rpc-error';

export interface GatewayErrorOptions {
  /** Extra response headers (`retry-after`, `set-cookie`, …), lowercase names. */
  headers?: Record<string, string>;
  /** What went wrong underneath (a stream reset, a thrown error): logged, never shown to the viewer. */
  cause?: unknown;
  /** Itemised problems, shown as a list (HTML) or a `problems` array (JSON). */
  problems?: readonly string[];
  /**
   * What a waiting answer (one with `retry-after`) waits for, as its page says it: `port 3000`,
   * `the session`. Its HTML to a GET then re-checks and reloads by itself (pages/heal.ts).
   */
  waitingFor?: string;
}

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly headers: Record<string, string>;
  readonly problems: readonly string[] | undefined;
  readonly waitingFor: string | undefined;

  /**
   * @param status HTTP status of the answer.
   * @param code stable machine-readable code (the JSON `error` field, the `X-Porthole-Error` header).
   * @param message one or two sentences for the viewer: what happened and what to do.
   */
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options: GatewayErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.headers = options.headers ?? {};
    this.problems = options.problems;
    this.waitingFor = options.waitingFor;
  }

  /**
   * HTML for browsers (Accept: text/html), JSON `{error, status, message}`
   * otherwise. Failures of the gateway or the origin (500, 502, 504) are logged
   * with their cause; expected answers (401, 404, 503 …) are not.
   */
  toResponse(request: Request): Response {
    this.log();
    return errorPage(request, this);
  }

  /**
   * The log line of this answer: failures of the gateway (500) with their cause and its stack; the
   * origin's (502, 504: refused, reset, timed out — everyday while a server restarts) on one line,
   * the cause's name and message only; nothing for expected answers.
   */
  protected log(): void {
    const line = `porthole: ${this.status} ${this.code}: ${this.message}`;
    if (this.status === 500) console.error(line, this.cause ?? '');
    else if (this.status === 502 || this.status === 504) {
      console.warn(this.cause === undefined ? line : `${line} (${String(this.cause)})`);
    }
  }
}

/**
 * What a thrown value means to the viewer: a GatewayError as it is, one a Session object's RPC method
 * threw as it crossed RPC (rpc-error.ts) as that GatewayError again, the multiplexer's stream limit as
 * 503 `too_many_streams`, anything else a 500 `internal` (the thrown value is the cause, so its stack
 * is in the log).
 */
export function asGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof StreamLimitError) return tooManyStreams(error.limit);
  const crossed = decodeRpcError(error);
  if (crossed) {
    const { status, code, message, headers, problems, waitingFor, cause } = crossed;
    return new GatewayError(status, code, message, { headers, problems, waitingFor, cause });
  }
  return new GatewayError(500, 'internal', 'The gateway failed to handle this request.', { cause: error });
}

/** The one error path: whatever was thrown, as its page (HTML or JSON, see GatewayError.toResponse). */
export function errorResponse(error: unknown, request: Request): Response {
  return asGatewayError(error).toResponse(request);
}

// ── previews (README, "What a viewer gets") ──────────────────────────────

export const notFound = () =>
  new GatewayError(404, 'not_found', 'There is no preview at this address. Check the URL you were given.');

/**
 * A port not in the session's table right now: nothing listens on it (a watched port comes and goes
 * with its server), or the client leaves it out (ephemeral range, --ignore, unexposed). The code
 * stays `port_not_listening` (503, Retry-After): scripts and the page's own reload key on it.
 */
export function notListening(port: number): GatewayError {
  return new GatewayError(
    503,
    'port_not_listening',
    `Port ${port} is not exposed by this session right now: nothing listens on it, or the session's client leaves it out. ` +
      `Start its server, or run 'porthole expose ${port}' in the session, and reload.`,
    { headers: { 'retry-after': '2' }, waitingFor: `port ${port}` },
  );
}

/** The session's tunnel is not connected. */
export const sessionOffline = () =>
  new GatewayError(
    503,
    'session_offline',
    'This session is offline: its tunnel is not connected. Try again once the session is running.',
    { headers: { 'retry-after': '5' }, waitingFor: 'the session' },
  );

/**
 * The session has ended (docs/lifecycle.md): ended by its operator or at its expiry, or never
 * created. Final: every URL, token, link and cookie of it answers this.
 */
export const sessionEnded = () =>
  new GatewayError(410, 'session_ended', 'This session has ended. Ask for a new session; nothing of this one is kept.');

/** The operator marked the session asleep (its VM is suspended): a waiting answer, healed once it is awake. */
export const sessionAsleep = () =>
  new GatewayError(
    503,
    'session_asleep',
    'The session is waking up: its machine is suspended for now. This page reloads by itself once it is back.',
    { headers: { 'retry-after': '5' }, waitingFor: 'the session to wake up' },
  );

/**
 * What a request refused a stream had been through (session/viewers.ts): it waited `waitedMs` for
 * one (QUEUE_TIMEOUT), or found no room to wait, `length` requests already waiting (`full` names
 * the bound: the session's QUEUE_LENGTH or the viewer's VIEWER_QUEUE_LENGTH). None: no queue.
 */
export type QueueOutcome = { waitedMs: number } | { full: 'QUEUE_LENGTH' | 'VIEWER_QUEUE_LENGTH'; length: number };

function queued(outcome: QueueOutcome | undefined): string {
  if (!outcome) return '';
  if ('waitedMs' in outcome) {
    return ` This request waited ${Math.round(outcome.waitedMs / 100) / 10} s for a stream to free (QUEUE_TIMEOUT).`;
  }
  const whose = outcome.full === 'QUEUE_LENGTH' ? 'on this session' : 'of yours';
  return ` ${outcome.length} requests ${whose} were already waiting, the most that may (${outcome.full}).`;
}

/** More streams in flight than MAX_STREAMS, after waiting or with no room to wait (`outcome`). */
export const tooManyStreams = (limit: number, outcome?: QueueOutcome) =>
  new GatewayError(
    503,
    'too_many_streams',
    `This session is serving ${limit} requests and WebSockets at once, its limit.${queued(outcome)} Try again in a moment.`,
    { headers: { 'retry-after': '1' }, waitingFor: 'a free stream' },
  );

/**
 * One viewer (client address) already holds VIEWER_MAX_STREAMS of the session's streams
 * (session/viewers.ts), after waiting or with no room to wait (`outcome`).
 */
export const tooManyViewerStreams = (limit: number, outcome?: QueueOutcome) =>
  new GatewayError(
    429,
    'viewer_stream_limit',
    `You have ${limit} requests and WebSockets open on this session, the most one viewer may hold while the session is busy (VIEWER_MAX_STREAMS).${queued(outcome)} Close some, or try again in a moment.`,
    { headers: { 'retry-after': '1' }, waitingFor: 'one of your requests to finish' },
  );

/** A request whose viewer left while it waited for a stream: nobody reads this answer. */
export const viewerGone = () =>
  new GatewayError(503, 'viewer_left', 'The viewer went away before this request got a stream.');

/** A gateway whose configuration has problems: 500 `config_invalid`, listing every one (never a secret's value). */
export class ConfigError extends GatewayError {
  constructor(override readonly problems: readonly string[]) {
    super(
      500,
      'config_invalid',
      `The gateway is misconfigured (${problems.length} problem${problems.length === 1 ? '' : 's'}): ${problems.join(' ')}`,
      { problems },
    );
  }

  /** Logged once, when config() first finds it, rather than with every answer. */
  protected override log(): void {}
}

/** A request head (names and values) over `maxBytes`. */
export const headersTooLarge = (maxBytes: number) =>
  new GatewayError(431, 'headers_too_large', `The request head is over ${maxBytes / 1024} KiB.`);

/** The credential a viewer came in with was withdrawn (session/grants.ts): `reason` says how. */
export const accessWithdrawn = (port: number, reason: string, options?: GatewayErrorOptions) =>
  new GatewayError(403, 'access_withdrawn', `Access to port ${port} ended: ${reason}.`, options);

/**
 * What a stream reset before the response head means to the viewer: 502
 * `origin_unreachable` (nothing listens; a waiting answer, Retry-After 2, as is `tunnel_lost`), 503 `port_not_listening` (the client
 * does not expose the port), 504 `origin_timeout` (no head within
 * `timeoutSeconds`), 502 `tunnel_lost`, 403 `access_withdrawn` (the viewer's grant ended while
 * the origin thought: session/grants.ts), `viewer_left` for the gateway's own CANCEL (the viewer
 * went away; nobody reads it), else 502 `origin_error`: protocol/reset-answer.ts's table, which the
 * client's request log records too. The reset is
 * the cause, so the 502/504 log line shows what the client reported. Anything
 * but a StreamResetError is rethrown (a bug, for the one error path).
 */
export function streamFailure(error: unknown, port: number, timeoutSeconds: number): GatewayError {
  if (!(error instanceof StreamResetError)) throw error;
  const cause = { cause: error };
  // One table with the client's request log (protocol/reset-answer.ts): the status and code come from it.
  const answer = resetAnswer(error.code, !error.remote);
  switch (answer.code) {
    case 'origin_unreachable':
      return new GatewayError(
        answer.status as number,
        answer.code,
        `Nothing answered on port ${port} inside the session. Is the server running? (${error.message})`,
        { ...cause, headers: { 'retry-after': '2' }, waitingFor: `port ${port}` },
      );
    case 'port_not_listening':
      return notListening(port);
    case 'origin_timeout':
      return new GatewayError(
        answer.status as number,
        answer.code,
        `The server on port ${port} did not answer within ${timeoutSeconds} s.`,
        cause,
      );
    case 'access_withdrawn':
      return accessWithdrawn(port, error.message, cause);
    case 'tunnel_lost':
      return new GatewayError(
        answer.status as number,
        answer.code,
        `The tunnel to the session closed before port ${port} answered.`,
        { ...cause, headers: { 'retry-after': '2' }, waitingFor: 'the session' },
      );
    case VIEWER_LEFT:
      // The gateway cancelled it because the viewer went away: nobody reads this answer.
      return new GatewayError(503, answer.code, 'The viewer went away before the answer came.', cause);
    default:
      return new GatewayError(
        answer.status as number,
        answer.code,
        `The server on port ${port} failed to answer: ${error.message}`,
        cause,
      );
  }
}
