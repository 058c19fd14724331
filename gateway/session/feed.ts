/**
 * The dashboard's live feed: server-sent events from the Session object to
 * each open dashboard. One `change` event (naming what changed) whenever a
 * dashboard should redraw, and a comment every 25 s so proxies keep the
 * stream open. An open feed keeps the object awake; the runtime ends it when
 * the viewer goes, and the next write notices. A feed lives no longer than
 * the cookie that opened it: at its expiry it says `expired` and ends.
 */

/**
 * What changed: the dashboard redraws its panel on any of them (`signout`: every login has ended;
 * `expired`: this feed's own login has; `ended`: the session has ended, and the feed with it;
 * `state`: the operator marked the session asleep or awake).
 */
export type Change = 'ports' | 'links' | 'tunnel' | 'signout' | 'expired' | 'ended' | 'state';

const KEEPALIVE_MS = 25_000;
/** Browsers reconnect a dropped feed after this long (the SSE `retry` field, in ms). */
const RETRY_MS = 2000;
const utf8 = new TextEncoder();
/** setTimeout's longest delay (about 24.8 days); a later expiry is waited for in steps. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export class DashboardFeed {
  /** Each open feed, with the timer that ends it at its login's expiry. */
  readonly #writers = new Map<WritableStreamDefaultWriter<Uint8Array>, ReturnType<typeof setTimeout>>();
  #keepalive: ReturnType<typeof setInterval> | null = null;

  /**
   * A new feed (`text/event-stream` body), starting with a `hello` change, that says `expired` and
   * ends at `until` (seconds since the epoch: the expiry of the cookie that opened it).
   */
  open(until: number): ReadableStream<Uint8Array> {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const expire = () => {
      const left = until * 1000 - Date.now();
      if (left > 0) this.#writers.set(writer, setTimeout(expire, Math.min(left, MAX_DELAY_MS)));
      else this.#end(writer, 'expired');
    };
    this.#write(writer, `retry: ${RETRY_MS}\nevent: change\ndata: {"what":"hello"}\n\n`);
    this.#keepalive ??= setInterval(() => this.#broadcast(': keepalive\n\n'), KEEPALIVE_MS);
    expire();
    return readable;
  }

  /** Tell every open dashboard that `what` changed. */
  notify(what: Change): void {
    this.#broadcast(`event: change\ndata: {"what":"${what}"}\n\n`);
  }

  /** Tell every open dashboard that `what` changed, then end every feed (a reconnect needs a valid cookie). */
  end(what: Change): void {
    for (const writer of [...this.#writers.keys()]) this.#end(writer, what);
  }

  /** Tell one feed that `what` changed, and end it. */
  #end(writer: WritableStreamDefaultWriter<Uint8Array>, what: Change): void {
    this.#write(writer, `event: change\ndata: {"what":"${what}"}\n\n`);
    writer.close().catch(() => undefined); // Already gone: nothing left to end.
    this.#forget(writer);
  }

  #broadcast(text: string): void {
    for (const writer of this.#writers.keys()) this.#write(writer, text);
  }

  #write(writer: WritableStreamDefaultWriter<Uint8Array>, text: string): void {
    // A failed write means the viewer went away (the runtime cancelled the body): forget that feed.
    writer.write(utf8.encode(text)).catch(() => this.#forget(writer));
  }

  #forget(writer: WritableStreamDefaultWriter<Uint8Array>): void {
    const timer = this.#writers.get(writer);
    if (timer !== undefined) clearTimeout(timer);
    this.#writers.delete(writer);
    if (this.#writers.size === 0 && this.#keepalive) {
      clearInterval(this.#keepalive);
      this.#keepalive = null;
    }
  }
}
