/**
 * Capped exponential backoff with full jitter: delay n is a random time in
 * [base·2ⁿ/2, base·2ⁿ], never above the cap. Pure, so tests can drive it.
 */
export interface BackoffOptions {
  baseMs?: number;
  capMs?: number;
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

  /** The next delay in milliseconds. */
  next(): number {
    const ceiling = Math.min(this.#cap, this.#base * 2 ** this.#attempt);
    this.#attempt = Math.min(this.#attempt + 1, 30);
    return Math.round(ceiling / 2 + (this.#random() * ceiling) / 2);
  }

  /** A connection held: start again from the base delay. */
  reset(): void {
    this.#attempt = 0;
  }
}
