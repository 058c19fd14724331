/**
 * Noticing a viewer that left a quiet event stream. The runtime learns that a
 * viewer's connection closed only when it next writes to it: locally (workerd)
 * nothing reports the disconnect of a response that is waiting, and the
 * Worker → Session object hop passes no cancellation. So a server-sent-event
 * response that sent its head (or an event) and then waits would hold its
 * tunnel stream, and the origin's request, for good after its viewer left.
 *
 * While such a stream is quiet, the gateway writes an SSE comment line (`:`
 * and a newline) every EVENT_STREAM_PROBE_SECONDS, only where a line has just
 * ended, so it never splits the origin's line: EventSource and every SSE
 * parser ignore comment lines (WHATWG HTML, "Parsing an event stream"). A
 * line may end in LF, CRLF or a bare CR there: after a CR the probe is
 * `\n:\n` (the CR's line ends as CRLF) and an LF the origin then sends is
 * dropped, being the second half of that CRLF. A stream may start with a
 * byte order mark, which the parser skips only as the very first bytes: when
 * a probe went first, the origin's leading BOM is dropped. A
 * viewer that left fails that write; the runtime then aborts the request and
 * cancels the body, and the tunnel stream is reset (http-bridge.ts).
 */
import type { Deadlines } from './deadlines';

/** Seconds of quiet before a probe is written, and between probes: the most an abandoned event stream stays held, plus the runtime's ~0.1 s to notice the failed write. */
export const EVENT_STREAM_PROBE_SECONDS = 2;

const COMMENT = new Uint8Array([0x3a, 0x0a]); // ":\n"
const AFTER_CR = new Uint8Array([0x0a, 0x3a, 0x0a]); // "\n:\n"
const LF = 0x0a;
const CR = 0x0d;
const BOM = [0xef, 0xbb, 0xbf];

/**
 * Whether a response can be probed: an event stream (`text/event-stream`) of unknown length whose
 * bytes pass as they are (no Content-Encoding: a comment cannot be added inside gzip).
 */
export function probeable(headers: Headers, length: number | undefined): boolean {
  const type = headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  const coding = headers.get('content-encoding')?.trim().toLowerCase();
  return type === 'text/event-stream' && length === undefined && (!coding || coding === 'identity');
}

/** The probe of one response body: told when the viewer waits on the origin and when the origin's bytes pass. */
export class QuietProbe {
  readonly #deadlines: Deadlines<object>;
  readonly #write: (chunk: Uint8Array) => void;
  readonly #ms: number;
  /** No byte yet, or the last byte passed was an LF: a comment line here splits nothing. */
  #atLineStart = true;
  /** The last byte passed was a CR: its line ended, as CR or as the first half of CRLF. */
  #afterCr = false;
  /** A probe ended the origin's CR as CRLF: the origin's next byte, if an LF, is dropped. */
  #dropLf = false;
  /** Bytes of the origin passed so far (to find its first ones). */
  #originBytes = 0;
  /** A probe went out before the origin's first byte. */
  #probedFirst = false;
  #stopped = false;

  /**
   * @param deadlines the object's shared deadlines (one sweep for every timer).
   * @param write enqueues a chunk to the viewer (it may throw once the body is closed: the probe then stops).
   * @param seconds quiet seconds before a probe (default EVENT_STREAM_PROBE_SECONDS).
   */
  constructor(deadlines: Deadlines<object>, write: (chunk: Uint8Array) => void, seconds = EVENT_STREAM_PROBE_SECONDS) {
    this.#deadlines = deadlines;
    this.#write = write;
    this.#ms = seconds * 1000;
  }

  /** The viewer waits for the origin's next bytes: a probe is due if that takes a while. */
  waiting(): void {
    if (this.#stopped || !(this.#atLineStart || this.#afterCr)) return;
    this.#deadlines.add(this, this.#ms, () => {
      try {
        this.#write(this.#afterCr ? AFTER_CR : COMMENT);
        if (this.#afterCr) this.#dropLf = true;
        if (this.#originBytes === 0) this.#probedFirst = true;
        this.#afterCr = false;
        this.#atLineStart = true;
      } catch {
        // The body is closed already (the runtime cancelled it): nothing left to probe.
        this.stop();
        return;
      }
      this.waiting();
    });
  }

  /**
   * The origin's `chunk` is about to pass to the viewer: no probe until it asks for more.
   * @returns the chunk to pass: as it came, or without the LF or BOM a probe made redundant (above).
   */
  passed(chunk: Uint8Array): Uint8Array {
    this.#deadlines.delete(this);
    if (chunk.length === 0) return chunk;
    let out = chunk;
    if (this.#dropLf) {
      this.#dropLf = false;
      if (out[0] === LF) out = out.subarray(1);
    }
    if (this.#probedFirst && this.#originBytes === 0 && BOM.every((byte, i) => chunk[i] === byte)) {
      out = out.subarray(BOM.length);
    }
    this.#originBytes += chunk.length;
    if (out.length > 0) {
      const last = out[out.length - 1];
      this.#atLineStart = last === LF;
      this.#afterCr = last === CR;
    }
    return out;
  }

  /** The body ended, failed or was cancelled. */
  stop(): void {
    this.#stopped = true;
    this.#deadlines.delete(this);
  }
}
