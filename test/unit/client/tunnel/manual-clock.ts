/** A clock that moves only when the test says so (for the reconnect policy and the keepalive). */
import type { Clock } from '../../../../client/tunnel/clock';

interface Pending {
  at: number;
  callback: () => void;
}

export class ManualClock implements Clock {
  #now = 0;
  readonly #timers = new Set<Pending>();

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const timer = { at: this.#now + ms, callback };
    this.#timers.add(timer);
    return timer;
  }

  clearTimeout(handle: unknown): void {
    this.#timers.delete(handle as Pending);
  }

  /** Delays of the timers now pending, from now, ascending. */
  pending(): number[] {
    return [...this.#timers].map((t) => t.at - this.#now).sort((a, b) => a - b);
  }

  /** Move time forward by `ms`, firing each timer that falls due, in order. */
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      const due = [...this.#timers].filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.#timers.delete(due);
      this.#now = due.at;
      due.callback();
    }
    this.#now = end;
  }
}
