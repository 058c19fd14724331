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
 * viewer that left fails that write; the runtime then aborts the request and
 * cancels the body, and the tunnel stream is reset (http-bridge.ts).
 */
import type { Deadlines } from './deadlines';

/** Seconds of quiet before a probe is written, and between probes: the most an abandoned event stream stays held, plus the runtime's ~0.1 s to notice the failed write. */
export const EVENT_STREAM_PROBE_SECONDS = 2;

const COMMENT = new Uint8Array([0x3a, 0x0a]); // ":\n"
const LF = 0x0a;

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
  /** No byte yet, or the last byte passed was a newline: a comment line here splits nothing. */
  #atLineStart = true;
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
    if (this.#stopped || !this.#atLineStart) return;
    this.#deadlines.add(this, this.#ms, () => {
      try {
        this.#write(COMMENT);
      } catch {
        // The body is closed already (the runtime cancelled it): nothing left to probe.
        this.stop();
        return;
      }
      this.waiting();
    });
  }

  /** The origin's `chunk` is about to pass to the viewer: no probe until it asks for more. */
  passed(chunk: Uint8Array): void {
    this.#deadlines.delete(this);
    if (chunk.length > 0) this.#atLineStart = chunk[chunk.length - 1] === LF;
  }

  /** The body ended, failed or was cancelled. */
  stop(): void {
    this.#stopped = true;
    this.#deadlines.delete(this);
  }
}
