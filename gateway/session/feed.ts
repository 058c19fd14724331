/**
 * The dashboard's live feed: server-sent events from the Session object to
 * each open dashboard. One `change` event (naming what changed) whenever a
 * dashboard should redraw, and a comment every 25 s so proxies keep the
 * stream open. An open feed keeps the object awake; the runtime ends it when
 * the viewer goes, and the next write notices.
 */

/** What changed: the dashboard redraws its panel on any of them (`signout`: its login has ended). */
export type Change = 'ports' | 'links' | 'tunnel' | 'signout';

const KEEPALIVE_MS = 25_000;
/** Browsers reconnect a dropped feed after this long (the SSE `retry` field, in ms). */
const RETRY_MS = 2000;
const utf8 = new TextEncoder();

export class DashboardFeed {
  readonly #writers = new Set<WritableStreamDefaultWriter<Uint8Array>>();
  #keepalive: ReturnType<typeof setInterval> | null = null;

  /** A new feed (`text/event-stream` body), starting with a `hello` change. */
  open(): ReadableStream<Uint8Array> {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    this.#writers.add(writer);
    this.#write(writer, `retry: ${RETRY_MS}\nevent: change\ndata: {"what":"hello"}\n\n`);
    this.#keepalive ??= setInterval(() => this.#broadcast(': keepalive\n\n'), KEEPALIVE_MS);
    return readable;
  }

  /** Tell every open dashboard that `what` changed. */
  notify(what: Change): void {
    this.#broadcast(`event: change\ndata: {"what":"${what}"}\n\n`);
  }

  /** Tell every open dashboard that `what` changed, then end every feed (a reconnect needs a valid cookie). */
  end(what: Change): void {
    this.notify(what);
    for (const writer of this.#writers) {
      writer.close().catch(() => undefined); // Already gone: nothing left to end.
      this.#forget(writer);
    }
  }

  #broadcast(text: string): void {
    for (const writer of this.#writers) this.#write(writer, text);
  }

  #write(writer: WritableStreamDefaultWriter<Uint8Array>, text: string): void {
    // A failed write means the viewer went away (the runtime cancelled the body): forget that feed.
    writer.write(utf8.encode(text)).catch(() => this.#forget(writer));
  }

  #forget(writer: WritableStreamDefaultWriter<Uint8Array>): void {
    this.#writers.delete(writer);
    if (this.#writers.size === 0 && this.#keepalive) {
      clearInterval(this.#keepalive);
      this.#keepalive = null;
    }
  }
}
