/**
 * Whether a viewer other than a given one asked a session for a stream lately: within the current
 * window or the one before (default 1 s each). Two windows of at most two viewer keys each answer
 * "anyone but X?" exactly, in constant memory, whatever the number of viewers.
 */
export class RecentViewers {
  readonly #windowMs: number;
  readonly #now: () => number;
  #window = Number.NEGATIVE_INFINITY;
  #current: string[] = [];
  #previous: string[] = [];

  /** @param windowMs length of a window, ms (default 1000). @param now the clock, ms. */
  constructor(windowMs = 1_000, now: () => number = () => Date.now()) {
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** Notes that the viewer `key` asked now. */
  seen(key: string): void {
    this.#rotate();
    if (this.#current.length < 2 && !this.#current.includes(key)) this.#current.push(key);
  }

  /** Whether a viewer other than `key` asked in this window or the one before. */
  othersThan(key: string): boolean {
    this.#rotate();
    return this.#current.some((k) => k !== key) || this.#previous.some((k) => k !== key);
  }

  #rotate(): void {
    const window = Math.floor(this.#now() / this.#windowMs);
    if (window === this.#window) return;
    this.#previous = window === this.#window + 1 ? this.#current : [];
    this.#current = [];
    this.#window = window;
  }
}
