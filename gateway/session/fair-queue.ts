/**
 * The waiting room of a session's streams: requests that cannot open a stream
 * now wait here, one FIFO line per viewer. When a stream frees, the next to go
 * is the first of the viewer that holds the fewest streams among those allowed
 * one (ties in round-robin order: a viewer just served goes to the back), so a
 * viewer flooding the session cannot push an honest viewer's request behind
 * its own. When the room is full, the longest line gives up its newest request
 * to a newcomer with a shorter line (longest-queue drop, as in fair queueing),
 * lines counted by network (an IPv6 /48 spread over many /64s is one), so a
 * flooder cannot fill the room against everyone else either.
 * Pure bookkeeping: no timers, no streams (viewers.ts decides who may go).
 */

/** One waiting request, of the viewer `key`. */
export interface Waiting {
  readonly key: string;
}

export class FairQueue<W extends Waiting> {
  /** Each viewer's line, in round-robin order (Map order: a viewer served moves to the end). */
  readonly #lines = new Map<string, W[]>();
  #size = 0;

  /** Requests waiting, all viewers together. */
  get size(): number {
    return this.#size;
  }

  /** Requests the viewer `key` has waiting. */
  waiting(key: string): number {
    return this.#lines.get(key)?.length ?? 0;
  }

  /** `waiter` joins the end of its viewer's line. */
  push(waiter: W): void {
    const line = this.#lines.get(waiter.key);
    if (line) line.push(waiter);
    else this.#lines.set(waiter.key, [waiter]);
    this.#size++;
  }

  /** `waiter` leaves the room (it went away, or its wait expired); false if it was not waiting. */
  remove(waiter: W): boolean {
    const line = this.#lines.get(waiter.key);
    const at = line?.indexOf(waiter) ?? -1;
    if (!line || at < 0) return false;
    line.splice(at, 1);
    if (line.length === 0) this.#lines.delete(waiter.key);
    this.#size--;
    return true;
  }

  /**
   * Take the next request to admit: the first of the line of the viewer, among those `may` admit
   * now, that `held` counts the fewest streams for (the earliest in round-robin order on a tie).
   * Undefined if no waiting viewer may be admitted.
   */
  next(may: (key: string) => boolean, held: (key: string) => number): W | undefined {
    let best: string | undefined;
    let fewest = Number.POSITIVE_INFINITY;
    for (const key of this.#lines.keys()) {
      const count = held(key);
      if (count < fewest && may(key)) {
        best = key;
        fewest = count;
      }
    }
    if (best === undefined) return undefined;
    const line = this.#lines.get(best) as W[];
    const waiter = line.shift() as W;
    this.#lines.delete(best);
    if (line.length > 0) this.#lines.set(best, line);
    this.#size--;
    return waiter;
  }

  /**
   * Room for a request of the viewer `key` in a room that holds at most `length`: the newest
   * request of the longest line of the group (`group`: a viewer's wider network, or the viewer
   * itself) with the most requests waiting, when that group has more than `key`'s would with it;
   * that one is taken out of the room for the caller to refuse. Undefined when `key`'s own group
   * waits the most (the newcomer is the one to refuse).
   */
  evictFor(key: string, group: (key: string) => string = (k) => k): W | undefined {
    const sizes = new Map<string, number>();
    for (const [k, line] of this.#lines) sizes.set(group(k), (sizes.get(group(k)) ?? 0) + line.length);
    const own = (sizes.get(group(key)) ?? 0) + 1;
    let worst: string | undefined;
    let most = own;
    for (const [g, size] of sizes) {
      if (size > most) {
        worst = g;
        most = size;
      }
    }
    if (worst === undefined) return undefined;
    let longest: W[] | undefined;
    for (const [k, line] of this.#lines) {
      if (group(k) === worst && (!longest || line.length > longest.length)) longest = line;
    }
    const waiter = (longest as W[]).at(-1) as W;
    this.remove(waiter);
    return waiter;
  }
}
