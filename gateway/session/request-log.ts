/**
 * The owner's reads of the client's request log (protocol v7: OPEN on port 0, REQUEST_LOG_PORT):
 * a list, a record, or a follow (NDJSON), answered by the client as its control API would
 * (client/requests/tunnel-answer.ts). The client is untrusted, so the gateway passes on only the
 * status of its answer (one its log routes give) and its body, streamed as the owner reads it
 * (response.ts), never its headers; and bounds each read: a head within LOG_HEAD_SECONDS, a list
 * or record of at most LOG_ANSWER_MAX_BYTES within LOG_ANSWER_SECONDS, a follow no longer than
 * FOLLOW_MAX_SECONDS nor past the credential that opened it, at most MAX_LOG_FOLLOWS follows and
 * MAX_LOG_READS other reads per session at once; and each is one of the session's MAX_STREAMS.
 */
import { type MuxStream, type OpenRequest, REQUEST_LOG_PORT, ResetCode, StreamResetError } from '../../protocol';
import { asGatewayError } from '../errors';
import type { Deadlines } from './deadlines';
import type { Limits } from './http-bridge';
import { requestLogFailed, requestLogTimeout, tooManyFollows, tooManyLogReads } from './request-log-errors';
import { responseBody } from './response';

/** Follows of the request log one session carries at once (a dashboard tab, a CLI follow each). */
export const MAX_LOG_FOLLOWS = 4;
/** Lists and records of the request log in flight at once per session. */
export const MAX_LOG_READS = 8;
/** Seconds the client has to start its answer (at most ORIGIN_TIMEOUT): it answers from memory. */
export const LOG_HEAD_SECONDS = 10;
/** Seconds a list or record may take in all. */
export const LOG_ANSWER_SECONDS = 120;
/** Bytes of a list or record passed on at most (a record holds two captured bodies, base64 at worst). */
export const LOG_ANSWER_MAX_BYTES = 16 * 1024 * 1024;
/** Seconds a follow lasts at most; it ends cleanly then (the dashboard reconnects with `after`). */
export const FOLLOW_MAX_SECONDS = 600;

/** Statuses the client's log routes answer with (client/requests/query.ts); any other is not passed on. */
const LOG_STATUSES = new Set([200, 400, 404, 405, 500, 503]);

/** One read, as the Worker checked it (routes/owner-requests.ts). */
export interface LogRead {
  /** `/v1/requests…`: the route and its query (only known parameters, bounded). */
  path: string;
  /** A follow (`follow=1`): NDJSON until the owner leaves or a bound ends it. */
  follow: boolean;
  /** The control host the owner used (OPEN's `host`). */
  host: string;
  /** When the owner's credential expires, seconds since the epoch: a follow ends then. */
  until: number;
  /** The Worker's id for this read, for left() (routing/disconnect.ts). */
  requestId: string;
}

/** What the Session object answers a read with (over RPC: a GatewayError would lose its code). */
export type LogReply =
  | { kind: 'answer'; status: number; ndjson: boolean; body: ReadableStream<Uint8Array> }
  | { kind: 'refused'; status: number; code: string; message: string; headers: Record<string, string> }
  | { kind: 'signed_out' };

interface OpenRead {
  requestId: string;
  follow: boolean;
  epoch: number;
  /** End the read now (a follow cleanly, a list or record as a failure). */
  cut(reason: string): void;
}

type Refused = Extract<LogReply, { kind: 'refused' }>;

/** The refusal for `error` (a GatewayError, the multiplexer's limit, or a bug: 500). */
export function refused(error: unknown): Refused {
  const e = asGatewayError(error);
  return { kind: 'refused', status: e.status, code: e.code, message: e.message, headers: e.headers };
}

export class RequestLogReads {
  readonly #open = new Set<OpenRead>();
  readonly #deadlines: Deadlines<object>;
  readonly #limits: () => Limits;

  constructor(deadlines: Deadlines<object>, limits: () => Limits) {
    this.#deadlines = deadlines;
    this.#limits = limits;
  }

  /** Reads open now, follows and the rest. */
  stats(): { follows: number; reads: number } {
    const follows = [...this.#open].filter((r) => r.follow).length;
    return { follows, reads: this.#open.size - follows };
  }

  /**
   * Open `read` on a stream from `open` (one of the session's streams) for a credential of
   * `epoch`, and wait for the client's head: the answer to stream, or a refusal (429
   * `too_many_follows` / `too_many_log_reads`, 503 `too_many_streams`, 504 `request_log_timeout`,
   * 502 `request_log_failed` or `tunnel_lost`). Never throws.
   */
  async read(open: (request: OpenRequest) => MuxStream, read: LogRead, epoch: number): Promise<LogReply> {
    const { follows, reads } = this.stats();
    if (read.follow && follows >= MAX_LOG_FOLLOWS) return refused(tooManyFollows(MAX_LOG_FOLLOWS));
    if (!read.follow && reads >= MAX_LOG_READS) return refused(tooManyLogReads(MAX_LOG_READS));
    let stream: MuxStream;
    try {
      stream = open({
        port: REQUEST_LOG_PORT,
        method: 'GET',
        path: read.path,
        headers: [],
        host: read.host,
        hasBody: false,
        upgrade: false,
        viewer: { kind: 'owner' },
      });
    } catch (error) {
      return refused(error);
    }
    let cut = false;
    const bound = {};
    const entry: OpenRead = {
      requestId: read.requestId,
      follow: read.follow,
      epoch,
      cut: (reason) => {
        cut = true;
        stream.reset(read.follow ? ResetCode.CANCEL : ResetCode.TIMEOUT, reason);
      },
    };
    this.#open.add(entry);
    void stream.done().then(() => {
      this.#open.delete(entry);
      this.#deadlines.delete(bound);
    });
    const totalMs = read.follow
      ? Math.min(FOLLOW_MAX_SECONDS * 1000, read.until * 1000 - Date.now())
      : LOG_ANSWER_SECONDS * 1000;
    this.#deadlines.add(bound, Math.max(0, totalMs), () => entry.cut('the request-log read reached its time bound'));
    const head = await this.#head(stream);
    if (head.kind === 'refused') return head;
    const limits = this.#limits();
    const body = responseBody(
      bounded(stream, read.follow, () => cut),
      undefined,
      this.#deadlines,
      limits.viewerIdleSeconds,
      false,
    );
    return { kind: 'answer', status: head.status, ndjson: read.follow && head.status === 200, body };
  }

  /** The owner of the read `requestId` went away: it ends now. False if no such read is open. */
  left(requestId: string): boolean {
    for (const entry of this.#open) {
      if (entry.requestId !== requestId) continue;
      entry.cut('the owner went away');
      return true;
    }
    return false;
  }

  /** End every read of a credential older than `epoch` ("sign out everywhere"). */
  signedOut(epoch: number): void {
    for (const entry of this.#open) if (entry.epoch < epoch) entry.cut('the owner signed out everywhere');
  }

  async #head(stream: MuxStream): Promise<{ kind: 'head'; status: number } | Refused> {
    const seconds = Math.min(LOG_HEAD_SECONDS, this.#limits().originTimeoutSeconds);
    const key = {};
    this.#deadlines.add(key, seconds * 1000, () => stream.reset(ResetCode.TIMEOUT, `no answer within ${seconds} s`));
    try {
      const head = await stream.head();
      if (!LOG_STATUSES.has(head.status)) {
        stream.reset(ResetCode.PROTOCOL_ERROR, `status ${head.status} is not a request-log answer`);
        return refused(requestLogFailed(`it answered with status ${head.status}`));
      }
      return { kind: 'head', status: head.status };
    } catch (error) {
      const timedOut = error instanceof StreamResetError && error.code === ResetCode.TIMEOUT;
      return refused(timedOut ? requestLogTimeout(seconds) : requestLogFailed((error as Error).message, error));
    } finally {
      this.#deadlines.delete(key);
    }
  }
}

/**
 * `stream` as the response pump reads it: a list or record cut off past LOG_ANSWER_MAX_BYTES (the
 * owner's answer fails), and a follow that `cut()` ended finishing cleanly instead of failing.
 */
function bounded(stream: MuxStream, follow: boolean, cut: () => boolean): Pick<MuxStream, 'read' | 'reset' | 'done'> {
  let bytes = 0;
  return {
    read: async () => {
      if (cut() && follow) return null;
      let chunk: Uint8Array | null;
      try {
        chunk = await stream.read();
      } catch (error) {
        if (cut() && follow) return null;
        throw error;
      }
      if (chunk === null || follow) return chunk;
      bytes += chunk.length;
      if (bytes > LOG_ANSWER_MAX_BYTES) {
        stream.reset(ResetCode.CANCEL, `the answer passed ${LOG_ANSWER_MAX_BYTES} bytes`);
        throw new Error(`the request-log answer passed ${LOG_ANSWER_MAX_BYTES} bytes`);
      }
      return chunk;
    },
    reset: (code, reason) => stream.reset(code, reason),
    done: () => stream.done(),
  };
}
