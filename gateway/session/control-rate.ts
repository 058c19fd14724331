/**
 * The rate of a client's control frames (HELLO, PORTS), as a token bucket:
 * a real client sends a few per second at most (its port watcher batches
 * changes), so one far faster is flooding and its tunnel is closed with
 * CloseCode.POLICY and a reason. The snapshot is coalesced anyway
 * (coalesce.ts); this bounds the storage writes and the work per frame.
 */

/** Control frames per second a client may keep sending. */
export const CONTROL_FRAMES_PER_SECOND = 100;
/** Control frames a client may send at once, above the rate. */
export const CONTROL_FRAMES_BURST = 1000;

/** A token bucket; `take()` is false once the client is over its rate. */
export class ControlRate {
  readonly #perSecond: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  constructor(perSecond = CONTROL_FRAMES_PER_SECOND, burst = CONTROL_FRAMES_BURST, now: () => number = Date.now) {
    this.#perSecond = perSecond;
    this.#burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#at = now();
  }

  /** Count one frame: true while within the rate (and its burst), false past it. */
  take(): boolean {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) / 1000) * this.#perSecond);
    this.#at = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** The close reason for a client over the rate. */
  get reason(): string {
    return `control frames over ${this.#perSecond} per second (burst ${this.#burst})`;
  }
}
