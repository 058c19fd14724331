/**
 * The rate of a client's control work (HELLO, PORTS), as a token bucket kept
 * by the Session object, so a reconnect does not refill it. A frame costs
 * what the gateway does for it, counted in ports: CONTROL_FRAME_COST for the
 * frame itself, one per port it lists, and, when it changes the table, one per
 * port of the table written back (the whole table is one storage value). A
 * real client sends a HELLO per connection and at most one PORTS per scan of
 * its port watcher (150 ms apart at the fastest, client/ports/watcher.ts):
 * with a full table and a port that changes on every scan, under 7 table
 * writes a second, within CONTROL_TABLES_PER_SECOND. A client over the rate is
 * closed with CloseCode.POLICY and `reason`. Snapshots are coalesced anyway
 * (coalesce.ts); this bounds the table writes and the work per frame.
 */
import type { ControlFrame } from '../../protocol';

/** What a control frame costs for itself, in ports (an empty PORTS is read, compared and dropped). */
export const CONTROL_FRAME_COST = 10;
/** Full-table rewrites a second a client may keep up: the rate is this × (MAX_PORTS + CONTROL_FRAME_COST) ports. */
export const CONTROL_TABLES_PER_SECOND = 8;
/**
 * HELLOs that each rewrite a full table a client may send at once above the rate: the burst is this ×
 * (2 × MAX_PORTS + CONTROL_FRAME_COST) ports (listed, then written).
 */
export const CONTROL_BURST_TABLES = 4;

/** A token bucket of ports; `take()` is false once the client is over its rate. */
export class ControlRate {
  readonly #perSecond: number;
  readonly #burst: number;
  readonly #now: () => number;
  #tokens: number;
  #at: number;

  /** `perSecond` and `burst` in ports (CONTROL_FRAME_COST per frame); `now` in milliseconds. */
  constructor(perSecond: number, burst: number, now: () => number = Date.now) {
    this.#perSecond = perSecond;
    this.#burst = burst;
    this.#now = now;
    this.#tokens = burst;
    this.#at = now();
  }

  /** The bucket for a session whose table holds at most `maxPorts` (MAX_PORTS). */
  static forMaxPorts(maxPorts: number, now: () => number = Date.now): ControlRate {
    return new ControlRate(
      CONTROL_TABLES_PER_SECOND * (maxPorts + CONTROL_FRAME_COST),
      CONTROL_BURST_TABLES * (2 * maxPorts + CONTROL_FRAME_COST),
      now,
    );
  }

  /** Before a HELLO or PORTS is applied: its own cost and the ports it lists. False: over the rate. */
  admit(frame: Extract<ControlFrame, { type: 'HELLO' | 'PORTS' }>): boolean {
    const listed =
      frame.type === 'HELLO' ? frame.body.ports.length : frame.body.opened.length + frame.body.closed.length;
    return this.take(CONTROL_FRAME_COST + listed);
  }

  /** After a frame changed the table: the `ports` of the whole table written back. */
  written(ports: number): void {
    this.charge(ports);
  }

  /** Spend `cost` ports before the work: true while within the rate (and its burst), false past it. */
  take(cost: number): boolean {
    this.#refill();
    if (this.#tokens < cost) return false;
    this.#tokens -= cost;
    return true;
  }

  /** Spend `cost` ports of work found only once done (a table written): the bucket may go into debt. */
  charge(cost: number): void {
    this.#refill();
    this.#tokens -= cost;
  }

  #refill(): void {
    const now = this.#now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#at) / 1000) * this.#perSecond);
    this.#at = now;
  }

  /** The close reason for a client over the rate. */
  get reason(): string {
    return `control traffic over ${this.#perSecond} ports a second (burst ${this.#burst})`;
  }
}
