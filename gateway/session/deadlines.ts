/**
 * Deadlines of in-flight streams (the origin's response head, a viewer that
 * stopped reading), swept by one interval per object instead of a timer per
 * request (timers cost more than the check). The interval runs only while
 * something is pending.
 */
export class Deadlines<K> {
  readonly #entries = new Map<K, { at: number; expire: () => void }>();
  readonly #tickMs: number;
  #timer: ReturnType<typeof setInterval> | null = null;

  /** @param tickMs how often pending deadlines are checked, in ms (default 250): the most a deadline runs late. */
  constructor(tickMs = 250) {
    this.#tickMs = tickMs;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Call `expire` once, at or up to one tick after `ms` from now, unless deleted first. */
  add(key: K, ms: number, expire: () => void): void {
    this.#entries.set(key, { at: Date.now() + ms, expire });
    if (!this.#timer) this.#timer = setInterval(() => this.#sweep(), this.#tickMs);
  }

  delete(key: K): void {
    this.#entries.delete(key);
    this.#stopIfIdle();
  }

  #sweep(): void {
    const now = Date.now();
    for (const [key, entry] of this.#entries) {
      if (entry.at > now) continue;
      this.#entries.delete(key);
      entry.expire();
    }
    this.#stopIfIdle();
  }

  #stopIfIdle(): void {
    if (this.#entries.size === 0 && this.#timer) {
      clearInterval(this.#timer);
      this.#timer = null;
    }
  }
}
