/**
 * A map of at most `limit` entries for per-isolate caches of verified values
 * (signed labels, tokens). When full, the oldest insertion goes first: a
 * cache miss only costs a recomputation, so no recency bookkeeping is kept.
 */
export class BoundedCache<K, V> {
  readonly #entries = new Map<K, V>();

  /** @param limit most entries held (at least 1). */
  constructor(readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`a cache holds at least 1 entry, not ${limit}`);
  }

  get size(): number {
    return this.#entries.size;
  }

  get(key: K): V | undefined {
    return this.#entries.get(key);
  }

  /** Forget `key` (nothing when absent). */
  delete(key: K): void {
    this.#entries.delete(key);
  }

  /** Store `value`, first evicting the oldest entry when the cache is full. */
  set(key: K, value: V): void {
    if (!this.#entries.has(key) && this.#entries.size >= this.limit) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, value);
  }
}
