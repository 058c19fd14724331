/**
 * The owner asking the session's client to expose or unexpose a port (owner API, dashboard): an
 * EXPOSE or UNEXPOSE frame on the tunnel (v6). The client applies it as `porthole expose` would and
 * its PORTS changes the table, so the WELCOME after it shows the result; nothing here waits for it.
 * Bounded: without a tunnel the request is refused (409 `offline`), and past a small rate per
 * session (its own bucket, the control rate's class: each request makes the client send a PORTS,
 * which its own control rate then pays for) with 429 `too_many_requests`.
 */
import type { ControlFrame, ExposeFrame, UnexposeFrame } from '../../protocol';
import { type GatewayError, sessionOfflineForOwner, tooManyExposeRequests } from '../errors';
import { ControlRate } from './control-rate';

/** What a request needs of the live tunnel (tunnel.ts's Tunnel has it). */
export interface ControlSender {
  mux: { control(frame: ControlFrame): void };
}

/** Owner expose and unexpose requests a session takes a second, and at once above that. */
export const OWNER_EXPOSE_PER_SECOND = 4;
export const OWNER_EXPOSE_BURST = 8;

/**
 * What became of a request (a value, not a thrown error: a GatewayError does not cross RPC as
 * itself): sent, or refused because no tunnel is connected or the session is over its rate.
 */
export type OwnerPortOutcome = 'sent' | 'offline' | 'too_many_requests';

/** The owner API's refusal for an outcome other than 'sent'. */
export function ownerPortRefusal(outcome: Exclude<OwnerPortOutcome, 'sent'>): GatewayError {
  return outcome === 'offline' ? sessionOfflineForOwner() : tooManyExposeRequests(OWNER_EXPOSE_PER_SECOND);
}

export class OwnerPortRequests {
  readonly #tunnel: () => ControlSender | null;
  readonly #rate: ControlRate;

  /** `tunnel`: the live tunnel, if any; `now`: milliseconds (tests). */
  constructor(tunnel: () => ControlSender | null, now: () => number = Date.now) {
    this.#tunnel = tunnel;
    this.#rate = new ControlRate(OWNER_EXPOSE_PER_SECOND, OWNER_EXPOSE_BURST, now);
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
