/**
 * The one error class of the gateway, and the one path every failure takes to
 * become a Response. Every failure a viewer or client can see is a
 * GatewayError with a stable code; pages/error-page.ts renders it.
 */
import { StreamLimitError } from '../protocol';
import { errorPage } from './pages/error-page';

export interface GatewayErrorOptions {
  /** Extra response headers (`retry-after`, `set-cookie`, …), lowercase names. */
  headers?: Record<string, string>;
  /** What went wrong underneath (a stream reset, a thrown error): logged, never shown to the viewer. */
  cause?: unknown;
  /** Itemised problems, shown as a list (HTML) or a `problems` array (JSON). */
  problems?: readonly string[];
}

export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly headers: Record<string, string>;
  readonly problems: readonly string[] | undefined;

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

  /** The log line of this answer: failures (500, 502, 504) with their cause; nothing for expected answers. */
  protected log(): void {
    const line = `porthole: ${this.status} ${this.code}: ${this.message}`;
    if (this.status === 500) console.error(line, this.cause ?? '');
    else if (this.status === 502 || this.status === 504) console.warn(line, this.cause ?? '');
  }
}

/**
 * What a thrown value means to the viewer: a GatewayError as it is, the multiplexer's stream limit as
 * 503 `too_many_streams`, anything else a 500 `internal` (the thrown value is the cause, so its stack
 * is in the log).
 */
export function asGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  if (error instanceof StreamLimitError) return tooManyStreams(error.limit);
  return new GatewayError(500, 'internal', 'The gateway failed to handle this request.', { cause: error });
}

/** The one error path: whatever was thrown, as its page (HTML or JSON, see GatewayError.toResponse). */
export function errorResponse(error: unknown, request: Request): Response {
  return asGatewayError(error).toResponse(request);
}

export const notFound = () =>
  new GatewayError(404, 'not_found', 'There is no preview at this address. Check the URL you were given.');

/** A port the session does not have open right now (closed, or never announced). */
export function notListening(port: number): GatewayError {
  return new GatewayError(
    503,
    'port_not_listening',
    `Port ${port} is not listening right now. Start the server on port ${port} in the session and reload.`,
    { headers: { 'retry-after': '2' } },
  );
}

/** The session's tunnel is not connected. */
export const sessionOffline = () =>
  new GatewayError(
    503,
    'session_offline',
    'This session is offline: its tunnel is not connected. Try again once the session is running.',
    { headers: { 'retry-after': '5' } },
  );

/** More streams in flight than MAX_STREAMS. */
export const tooManyStreams = (limit: number) =>
  new GatewayError(
    503,
    'too_many_streams',
    `This session is serving ${limit} requests and WebSockets at once, its limit. Try again in a moment.`,
    { headers: { 'retry-after': '1' } },
  );
