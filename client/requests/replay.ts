/**
 * Replay (POST /v1/requests/<id>/replay, `porthole replay`): a logged request
 * sent to its origin again, as the gateway sent it the first time (method,
 * path, headers with their original credentials, the whole body), through the
 * origin code a tunnel stream takes (memory-stream.ts), and recorded in the log
 * as a new request with `replayOf` and viewer `{kind: 'replay'}` by the same
 * taps as any stream (origin/): the body kept up to the log's bound, the rest
 * counted and dropped. The replay sits in the gateway's seat.
 */
import { isPort, type MuxStream, type OpenRequest, ResetCode, StreamResetError } from '../../protocol';
import { PortholeApiError } from '../net/http';
import type { LogEntry } from './entry';
import type { RequestLog } from './log';
import { memoryStream } from './memory-stream';
import type { RequestRecord } from './record';

/** Replays running at once at most; one more is refused with 429 `too_many_replays`. */
export const MAX_REPLAYS = 4;
/** Milliseconds a replay waits for the response head (the gateway's ORIGIN_TIMEOUT default), then 504 `origin_timeout`. */
export const REPLAY_HEAD_TIMEOUT_MS = 60_000;
/** Milliseconds a replay reads its response in all; a longer one (a stream of events) is cut, as `viewer_left`. */
export const REPLAY_TIMEOUT_MS = 120_000;

export interface ReplayOptions {
  /** Send it to this port (1–65535) instead of the original's. */
  port?: number;
}

export interface ReplayerOptions {
  /** Serve the client's end of a stream and record it in `entry`, as the agent serves a tunnel stream (Origin.serve). */
  serve(stream: MuxStream, entry: LogEntry): void;
  headTimeoutMs?: number;
  timeoutMs?: number;
}

const conflict = (code: string, message: string) => new PortholeApiError(409, code, message);

function contentLength(open: OpenRequest): number | null {
  const value = open.headers.find(([name]) => name.toLowerCase() === 'content-length')?.[1];
  return value !== undefined && /^\s*[0-9]+\s*$/.test(value) ? Number(value) : null;
}

/** The original's body, or the refusal that says why it cannot be sent again whole. */
function replayBody(original: LogEntry): Buffer | null {
  if (!original.open.hasBody) return null;
  if (!original.finished) {
    throw conflict('request_in_flight', `request ${original.id}'s body is still arriving: replay it once it ended`);
  }
  const body = original.requestBody.whole();
  const bytes = original.requestBody.bytes;
  if (!body) {
    throw conflict(
      'body_truncated',
      `request ${original.id}'s body (${bytes} bytes) was kept only up to the log's bound ` +
        `(${original.requestBody.captured} bytes): replaying it would send a different body`,
    );
  }
  const declared = contentLength(original.open);
  if (declared !== null && declared !== body.length) {
    throw conflict(
      'body_truncated',
      `only ${body.length} of request ${original.id}'s ${declared} body bytes arrived: replaying it would send a different body`,
    );
  }
  return body;
}

export class Replayer {
  readonly #log: RequestLog;
  readonly #options: ReplayerOptions;
  #running = 0;

  constructor(log: RequestLog, options: ReplayerOptions) {
    this.#log = log;
    this.#options = options;
  }

  /** Replays in flight now. */
  get running(): number {
    return this.#running;
  }

  /**
   * Replay request `id` and resolve with the new request in full once it ended, whatever the origin
   * answered (an origin that is down gives a record failed with `origin_unreachable`). Throws an
   * PortholeApiError: 400 `bad_request` (port), 404 `request_not_found`, 409 `cannot_replay_websocket`, `cannot_replay_tcp`,
   * `body_truncated` or `request_in_flight`, 429 `too_many_replays`, 503 `request_log_off`.
   */
  async replay(id: number, options: ReplayOptions = {}): Promise<RequestRecord> {
    if (!this.#log.enabled) {
      throw new PortholeApiError(
        503,
        'request_log_off',
        'the request log is off (this client runs with --request-log 0)',
      );
    }
    if (options.port !== undefined && !isPort(options.port))
      throw new PortholeApiError(400, 'bad_request', 'port must be 1-65535');
    const original = this.#log.entry(id);
    if (!original) {
      throw new PortholeApiError(
        404,
        'request_not_found',
        `request ${id} is not in the log (it may have left the ring)`,
      );
    }
    if (original.open.tcp) {
      throw conflict(
        'cannot_replay_tcp',
        `request ${id} is a forwarded TCP connection (porthole forward): only HTTP requests can be replayed`,
      );
    }
    if (original.open.upgrade) {
      throw conflict(
        'cannot_replay_websocket',
        `request ${id} is a WebSocket upgrade: only HTTP requests can be replayed`,
      );
    }
    const body = replayBody(original);
    if (this.#running >= MAX_REPLAYS) {
      throw new PortholeApiError(
        429,
        'too_many_replays',
        `${MAX_REPLAYS} replays are running: try again once one has ended`,
      );
    }
    const open: OpenRequest = { ...original.open, port: options.port ?? original.open.port, hasBody: body !== null };
    const entry = this.#log.begin(open, id) as LogEntry;
    this.#running++;
    try {
      await this.#exchange(entry, body);
    } finally {
      this.#running--;
    }
    return entry.record();
  }

  /**
   * Drive the gateway's end of the replay's stream as the gateway would (the body written as the
   * origin takes it, the response read and dropped: the taps in origin/ record it in `entry`), and
   * resolve once `entry` has ended.
   */
  async #exchange(entry: LogEntry, body: Buffer | null): Promise<void> {
    const recorded = this.#ended(entry);
    const { stream, close } = memoryStream(entry.open, (s) => this.#options.serve(s, entry));
    let headSeen = false;
    // The gateway's origin timer: no head in time is 504 origin_timeout, as for a viewer.
    const headTimer = setTimeout(() => {
      if (!headSeen) stream.reset(ResetCode.TIMEOUT, 'no response head in time');
    }, this.#options.headTimeoutMs ?? REPLAY_HEAD_TIMEOUT_MS);
    // A response that never ends (a stream of events) is cut, as a viewer leaving would (viewer_left).
    const timer = setTimeout(
      () => stream.reset(ResetCode.CANCEL, 'the replay stopped reading'),
      this.#options.timeoutMs ?? REPLAY_TIMEOUT_MS,
    );
    try {
      // A reset shows in head() and done(); the write waits for the origin's window, as the gateway's does.
      if (body) stream.write(body, { end: true }).catch(() => {});
      await stream.head();
      headSeen = true;
      while ((await stream.read()) !== null);
    } catch (error) {
      if (!(error instanceof StreamResetError)) throw error;
    } finally {
      // Both ways ended, or reset (by the origin's side or by a timer above).
      await stream.done();
      clearTimeout(headTimer);
      clearTimeout(timer);
      // Whatever the client's end still has open ends now (tunnel_lost), so the entry always ends.
      close();
    }
    await recorded;
  }

  /** Resolves once `entry` has ended (the taps call end() or fail() as its stream finishes). */
  #ended(entry: LogEntry): Promise<void> {
    return new Promise((resolve) => {
      const unsubscribe = this.#log.subscribe((summary) => {
        if (summary.id !== entry.id || summary.state === 'open') return;
        unsubscribe();
        resolve();
      });
    });
  }
}
