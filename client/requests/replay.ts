/**
 * Replay (POST /v1/requests/<id>/replay, `porthole replay`): a logged request
 * sent to its origin again, as the gateway sent it the first time (method,
 * path, headers with their original credentials, the whole body), through the
 * origin code a tunnel stream takes (memory-stream.ts), and recorded in the log
 * as a new request with `replayOf` and viewer `{kind: 'replay'}`. The replay
 * sits in the gateway's seat and records what it sees: the head, the body (kept
 * up to the log's bound, the rest counted and dropped) and how the stream ended.
 */
import { isPort, type MuxStream, type OpenRequest, ResetCode, StreamResetError } from '../../protocol';
import { ApiError } from '../net/http';
import type { LogEntry } from './entry';
import type { RequestLog } from './log';
import { memoryStream } from './memory-stream';
import type { RequestRecord } from './record';
import { streamFailure } from './stream-failure';

/** Replays running at once at most; one more is refused with 429 `too_many_replays`. */
export const MAX_REPLAYS = 4;
/** Milliseconds a replay waits for the response head (the gateway's ORIGIN_TIMEOUT default), then 504 `origin_timeout`. */
export const REPLAY_HEAD_TIMEOUT_MS = 60_000;
/** Milliseconds a replay reads its response in all; a longer one (a stream of events) is cut: `replay_timeout`. */
export const REPLAY_TIMEOUT_MS = 120_000;

export interface ReplayOptions {
  /** Send it to this port (1–65535) instead of the original's. */
  port?: number;
}

export interface ReplayerOptions {
  /** Serve the client's end of a stream, as the agent serves a tunnel stream (Origin.serve with no log entry). */
  serve(stream: MuxStream): void;
  headTimeoutMs?: number;
  timeoutMs?: number;
}

const conflict = (code: string, message: string) => new ApiError(409, code, message);

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
   * ApiError: 400 `bad_request` (port), 404 `request_not_found`, 409 `cannot_replay_websocket`,
   * `body_truncated` or `request_in_flight`, 429 `too_many_replays`, 503 `request_log_off`.
   */
  async replay(id: number, options: ReplayOptions = {}): Promise<RequestRecord> {
    if (!this.#log.enabled) {
      throw new ApiError(503, 'request_log_off', 'the request log is off (this client runs with --request-log 0)');
    }
    if (options.port !== undefined && !isPort(options.port))
      throw new ApiError(400, 'bad_request', 'port must be 1-65535');
    const original = this.#log.entry(id);
    if (!original) {
      throw new ApiError(404, 'request_not_found', `request ${id} is not in the log (it may have left the ring)`);
    }
    if (original.open.upgrade) {
      throw conflict(
        'cannot_replay_websocket',
        `request ${id} is a WebSocket upgrade: only HTTP requests can be replayed`,
      );
    }
    const body = replayBody(original);
    if (this.#running >= MAX_REPLAYS) {
      throw new ApiError(429, 'too_many_replays', `${MAX_REPLAYS} replays are running: try again once one has ended`);
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

  async #exchange(entry: LogEntry, body: Buffer | null): Promise<void> {
    const { stream, close } = memoryStream(entry.open, (s) => this.#options.serve(s));
    let headSeen = false;
    const headTimer = setTimeout(() => {
      if (!headSeen) stream.reset(ResetCode.TIMEOUT, 'no response head in time');
    }, this.#options.headTimeoutMs ?? REPLAY_HEAD_TIMEOUT_MS);
    let cut = false;
    const timer = setTimeout(() => {
      cut = true;
      stream.reset(ResetCode.CANCEL, 'the replay stopped reading');
    }, this.#options.timeoutMs ?? REPLAY_TIMEOUT_MS);
    try {
      if (body) {
        entry.requestData(body);
        // The origin reads it as it wants: the write waits for its window, as the gateway's does.
        stream.write(body, { end: true }).catch(() => {}); // A reset shows in head() or done().
      }
      const head = await stream.head();
      headSeen = true;
      entry.head(head.status, head.headers);
      for (let chunk = await stream.read(); chunk !== null; chunk = await stream.read()) entry.responseData(chunk);
      const ended = await stream.done();
      if (ended) throw ended;
      entry.end();
    } catch (error) {
      if (!(error instanceof StreamResetError)) throw error;
      if (cut) {
        entry.fail({ code: 'replay_timeout', message: 'the replay read the response for too long and stopped' });
      } else {
        const failure = streamFailure(error, entry.open.port);
        entry.fail({ code: failure.code, message: failure.message }, failure.status);
      }
    } finally {
      clearTimeout(headTimer);
      clearTimeout(timer);
      close();
    }
  }
}
