/**
 * The owner asking the session's client to expose or unexpose a port (owner API, dashboard): an
 * EXPOSE or UNEXPOSE frame on the tunnel (v6). The client applies it as `porthole expose` would and
 * its PORTS changes the table, so the WELCOME after it shows the result; nothing here waits for it.
 * Bounded: without a tunnel the request is refused (409 `offline`), and past a small rate per
 * session (its own bucket, the control rate's class: each request makes the client send a PORTS,
 * which its own control rate then pays for) with 429 `too_many_requests`. An EXPOSE of a new port
 * when the table (with the ports asked for and not announced yet) is full is refused with 409
 * `too_many_ports`: the client would announce one port over MAX_PORTS and be closed for good.
 */
import type { ControlFrame, ExposeFrame, ExposeRequest, UnexposeFrame } from '../../protocol';
import { type GatewayError } from '../errors';
import { sessionOfflineForOwner, tooManyExposeRequests, tooManyPortsForOwner } from '../control-errors';
import { ControlRate } from './control-rate';

/** What a request needs of the live tunnel (tunnel.ts's Tunnel has it). */
export interface ControlSender {
  mux: { control(frame: ControlFrame): void };
}

/** Owner expose and unexpose requests a session takes a second, and at once above that. */
export const OWNER_EXPOSE_PER_SECOND = 4;
export const OWNER_EXPOSE_BURST = 8;

/** Milliseconds an owner's EXPOSE of a new port counts against the table's room until the client announces it. */
export const PENDING_EXPOSE_MS = 5_000;

/** What the room check needs of the port table (port-table.ts PortTable has it). */
export interface PortRoom {
  get(port: number): Promise<unknown>;
  size(): Promise<number>;
}

/**
 * What became of a request, as a value the owner API turns into its refusal (ownerPortRefusal): sent,
 * or refused because no tunnel is connected or the session is over its rate. (A value since before a
 * GatewayError could cross RPC as itself, rpc-error.ts; either works now.)
 */
export type OwnerPortOutcome = 'sent' | 'offline' | 'too_many_requests' | 'too_many_ports';

/** The owner API's refusal for an outcome other than 'sent'; `maxPorts`: MAX_PORTS, for its message. */
export function ownerPortRefusal(outcome: Exclude<OwnerPortOutcome, 'sent'>, maxPorts: number): GatewayError {
  if (outcome === 'offline') return sessionOfflineForOwner();
  if (outcome === 'too_many_ports') return tooManyPortsForOwner(maxPorts);
  return tooManyExposeRequests(OWNER_EXPOSE_PER_SECOND);
}

export class OwnerPortRequests {
  readonly #tunnel: () => ControlSender | null;
  readonly #rate: ControlRate;
  readonly #now: () => number;
  /** New ports the owner asked to expose, by when (milliseconds), until announced or PENDING_EXPOSE_MS old. */
  readonly #pending = new Map<number, number>();

  /** `tunnel`: the live tunnel, if any; `now`: milliseconds (tests). */
  constructor(tunnel: () => ControlSender | null, now: () => number = Date.now) {
    this.#tunnel = tunnel;
    this.#rate = new ControlRate(OWNER_EXPOSE_PER_SECOND, OWNER_EXPOSE_BURST, now);
    this.#now = now;
  }

  /**
   * EXPOSE `request.port`, as send() does, unless it is a port `table` does not hold and the table,
   * with the new ports asked for in the last PENDING_EXPOSE_MS and not announced yet, already holds
   * `maxPorts` (MAX_PORTS): then 'too_many_ports', sending nothing.
   */
  async expose(request: ExposeRequest, table: PortRoom, maxPorts: number): Promise<OwnerPortOutcome> {
    if (!this.#tunnel()) return 'offline';
    if ((await table.get(request.port)) === undefined) {
      const now = this.#now();
      for (const [port, at] of this.#pending) {
        if (now - at >= PENDING_EXPOSE_MS || (await table.get(port)) !== undefined) this.#pending.delete(port);
      }
      const pending = this.#pending.has(request.port) ? this.#pending.size - 1 : this.#pending.size;
      if ((await table.size()) + pending >= maxPorts) return 'too_many_ports';
      const outcome = this.send({ type: 'EXPOSE', stream: 0, body: request });
      if (outcome === 'sent') this.#pending.set(request.port, now);
      return outcome;
    }
    return this.send({ type: 'EXPOSE', stream: 0, body: request });
  }

  /** Send the request to the client, unless no tunnel is connected or the session is over its rate. */
  send(frame: ExposeFrame | UnexposeFrame): OwnerPortOutcome {
    const tunnel = this.#tunnel();
    if (!tunnel) return 'offline';
    if (!this.#rate.take(1)) return 'too_many_requests';
    tunnel.mux.control(frame);
    return 'sent';
  }
}
