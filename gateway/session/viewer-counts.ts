/**
 * Who holds a session's streams (viewers.ts): counts per viewer key and per network (an IPv6 /48,
 * viewer-key.ts), which viewers asked lately, and whether a viewer is over its share.
 */
import { RecentViewers } from './recent-viewers';
import { NETWORK_SHARES, viewerNetwork } from './viewer-key';

export class ViewerCounts {
  readonly #held = new Map<string, number>();
  readonly #recent = new RecentViewers();

  /** Streams `key` holds (a viewer key or a network key). */
  held(key: string): number {
    return this.#held.get(key) ?? 0;
  }

  /** Adds `delta` (±1) to the streams of `key` and of its network. */
  count(key: string, delta: number): void {
    for (const k of [key, viewerNetwork(key)]) {
      if (k === null) continue;
      const held = (this.#held.get(k) ?? 0) + delta;
      if (held > 0) this.#held.set(k, held);
      else this.#held.delete(k);
    }
  }

  /** Notes that `key` asked for a stream now. */
  seen(key: string): void {
    this.#recent.seen(key);
  }

  /** How many viewers hold a stream now (networks aside). */
  get viewers(): number {
    return [...this.#held.keys()].filter((key) => !key.endsWith('::/48')).length;
  }

  /** Whether a viewer other than `key` (or its network) holds a stream now, or asked for one within a second or two. */
  shared(key: string): boolean {
    const network = viewerNetwork(key);
    const own = (this.#held.has(key) ? 1 : 0) + (network !== null && this.#held.has(network) ? 1 : 0);
    return this.#held.size > own || this.#recent.othersThan(key);
  }

  /** Whether `key` holds its share (`limit` streams), or its network NETWORK_SHARES times that. */
  overShare(key: string, limit: number): boolean {
    const network = viewerNetwork(key);
    return this.held(key) >= limit || (network !== null && this.held(network) >= NETWORK_SHARES * limit);
  }
}
