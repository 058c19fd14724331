/**
 * How much of what the gateway sent its client outside flow control is not
 * yet known to be read (protocol/read-probe.ts). A client that stops reading
 * would otherwise make the Session object buffer every port snapshot, OPEN
 * head and RESET it is sent, without limit; past the budget its tunnel is
 * closed with CloseCode.POLICY and UNREAD_REASON.
 */
import { PROBE_EVERY_BYTES, UNREAD_BUDGET_BYTES } from '../../protocol';

/** The close reason for a client over its unread budget. */
export const UNREAD_REASON = 'the client is not reading what the gateway sends';

/** What the caller must do after counting bytes. */
export interface UnreadVerdict {
  /** Send `probe <n>` with this number now. */
  probe?: number;
  /** Over the budget: close the tunnel (1008, UNREAD_REASON). */
  over: boolean;
}

export interface UnreadOptions {
  /** Bytes between probes (default PROBE_EVERY_BYTES, 1 MiB). */
  probeEvery?: number;
  /** Unacknowledged bytes allowed (default UNREAD_BUDGET_BYTES, 8 MiB). */
  budget?: number;
  /** The first probe's number (default random: an ack left from before hibernation never matches). */
  firstSeq?: number;
}

/** The accounting for one tunnel socket; plain numbers, no timers. */
export class UnreadBudget {
  readonly #probeEvery: number;
  readonly #budget: number;
  #seq: number;
  /** Bytes counted since the tunnel was bound, and the part of them acknowledged. */
  #sent = 0;
  #acked = 0;
  #sinceProbe = 0;
  /** Probes not yet answered, oldest first: their number and #sent when each was sent. */
  readonly #pending: { seq: number; sent: number }[] = [];

  constructor(options: UnreadOptions = {}) {
    this.#probeEvery = options.probeEvery ?? PROBE_EVERY_BYTES;
    this.#budget = options.budget ?? UNREAD_BUDGET_BYTES;
    this.#seq = options.firstSeq ?? (crypto.getRandomValues(new Uint32Array(1))[0] as number);
  }

  /** Count `bytes` sent outside flow control (probes themselves are not counted). */
  sent(bytes: number): UnreadVerdict {
    this.#sent += bytes;
    this.#sinceProbe += bytes;
    const verdict: UnreadVerdict = { over: this.unread > this.#budget };
    if (!verdict.over && this.#sinceProbe >= this.#probeEvery) {
      this.#sinceProbe = 0;
      const seq = this.#seq;
      this.#seq = (this.#seq + 1) >>> 0;
      this.#pending.push({ seq, sent: this.#sent });
      verdict.probe = seq;
    }
    return verdict;
  }

  /** The client answered probe `seq`: everything sent before it was read. False for a number never sent (or already answered). */
  acked(seq: number): boolean {
    const index = this.#pending.findIndex((probe) => probe.seq === seq);
    if (index < 0) return false;
    this.#acked = (this.#pending[index] as { sent: number }).sent;
    this.#pending.splice(0, index + 1);
    return true;
  }

  /** Bytes sent and not yet known to be read. */
  get unread(): number {
    return this.#sent - this.#acked;
  }

  /** For tests and status: counted, unread, and probes awaiting an answer. */
  stats(): { sent: number; unread: number; pendingProbes: number } {
    return { sent: this.#sent, unread: this.unread, pendingProbes: this.#pending.length };
  }
}
