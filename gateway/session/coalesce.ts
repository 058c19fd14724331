/**
 * Coalescing of the port snapshot: however many changes arrive, the client is
 * sent at most one snapshot per interval, always after the last change. A
 * flood of PORTS frames thus costs a few snapshots, not one per frame (each
 * is the whole table, signed: the amplification issue 13 measured).
 */

/** Shortest gap between two snapshots to one session's client, in milliseconds. */
export const SNAPSHOT_INTERVAL_MS = 100;

/** The timer a Coalescer uses (injectable for tests). */
export interface Timer {
  now(): number;
  after(ms: number, run: () => void): void;
}

const realTimer: Timer = {
  now: () => Date.now(),
  after: (ms, run) => void setTimeout(run, ms),
};

/**
 * Runs `run` once for any number of `request()` calls: on the next turn when
 * the last run is at least `intervalMs` ago, else when that much has passed.
 * A request made while `run` is in progress schedules one more run after it.
 */
export class Coalescer {
  readonly #run: () => Promise<void>;
  readonly #intervalMs: number;
  readonly #timer: Timer;
  #scheduled = false;
  #running = false;
  #again = false;
  #last = Number.NEGATIVE_INFINITY;

  constructor(run: () => Promise<void>, intervalMs = SNAPSHOT_INTERVAL_MS, timer: Timer = realTimer) {
    this.#run = run;
    this.#intervalMs = intervalMs;
    this.#timer = timer;
  }

  /** Ask for a run; several requests before it starts share it. */
  request(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    if (this.#scheduled) return;
    this.#scheduled = true;
    const wait = Math.max(0, this.#last + this.#intervalMs - this.#timer.now());
    this.#timer.after(wait, () => void this.#fire());
  }

  async #fire(): Promise<void> {
    this.#scheduled = false;
    this.#running = true;
    this.#last = this.#timer.now();
    try {
      await this.#run();
    } finally {
      this.#running = false;
      if (this.#again) {
        this.#again = false;
        this.request();
      }
    }
  }
}
