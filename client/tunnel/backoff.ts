/**
 * Capped exponential backoff with "equal jitter" (AWS Architecture Blog,
 * "Exponential Backoff And Jitter", 2015): attempt n waits half of
 * min(cap, base·2ⁿ) plus a random share of the other half, so a delay is
 * never under half its ceiling (a redial storm after a gateway restart still
 * spreads out, and no retry comes back at once). Pure: `random` is injected.
 */
export interface BackoffOptions {
  /** First ceiling, in milliseconds (default 250): the first delay is 125–250 ms. */
  baseMs?: number;
  /** Largest delay, in milliseconds (default 15 000). */
  capMs?: number;
  /** Uniform in [0, 1) (default Math.random). */
  random?: () => number;
}

export class Backoff {
  #attempt = 0;
  readonly #base: number;
  readonly #cap: number;
  readonly #random: () => number;

  constructor(options: BackoffOptions = {}) {
    this.#base = options.baseMs ?? 250;
    this.#cap = options.capMs ?? 15_000;
    this.#random = options.random ?? Math.random;
  }

  /** The next delay, in milliseconds: in [ceiling/2, ceiling], ceiling = min(cap, base·2ⁿ). */
  next(): number {
    const ceiling = Math.min(this.#cap, this.#base * 2 ** this.#attempt);
    this.#attempt = Math.min(this.#attempt + 1, 30);
    return Math.round(ceiling / 2 + (this.#random() * ceiling) / 2);
  }

  /** Start again from the base delay (the supervisor calls it once a tunnel held long enough). */
  reset(): void {
    this.#attempt = 0;
  }
}
