/**
 * What the gateway sent its client and does not yet know to be read
 * (protocol/read-probe.ts). Two limits, both proved only by the client's
 * acks: DATA waits while UNREAD_WINDOW_BYTES of any frames stand unread (a
 * window shared by every stream, as the client may grant each stream up to
 * 2 GiB); and a client that leaves UNREAD_BUDGET_BYTES of the other frames
 * (snapshots, OPEN heads, RESETs: nothing holds them back) unread is closed
 * with CloseCode.POLICY and UNREAD_REASON.
 */
import type { SharedCredit } from '../../protocol';
import {
  MAX_PENDING_PROBES,
  PROBE_EVERY_BYTES,
  probeNonce,
  UNREAD_BUDGET_BYTES,
  UNREAD_WINDOW_BYTES,
} from '../../protocol';

/** The close reason for a client over its unread budget. */
export const UNREAD_REASON = 'the client is not reading what the gateway sends';

/** What the caller must do after counting bytes. */
export interface UnreadVerdict {
  /** Send `probe <nonce>` with this nonce now. */
  probe?: string;
  /** Over the budget: close the tunnel (1008, UNREAD_REASON). */
  over: boolean;
}

export interface UnreadOptions {
  /** Bytes between probes (default PROBE_EVERY_BYTES, 1 MiB). */
  probeEvery?: number;
  /** Unacknowledged bytes of non-DATA frames allowed (default UNREAD_BUDGET_BYTES, 8 MiB). */
  budget?: number;
  /** Unacknowledged bytes of all frames past which DATA waits (default UNREAD_WINDOW_BYTES, 16 MiB). */
  window?: number;
  /** Probes remembered at once (default MAX_PENDING_PROBES, 64). */
  maxPending?: number;
  /** The nonce of each probe (default 64 random bits, probeNonce()). */
  nonce?: () => string;
}

/** Bytes counted up to a point: all frames, and the non-DATA ones among them. */
interface Mark {
  all: number;
  control: number;
}

/** The accounting for one tunnel socket; plain numbers and waiters, no timers. */
export class UnreadBudget implements SharedCredit {
  readonly #probeEvery: number;
  readonly #budget: number;
  readonly #window: number;
  readonly #maxPending: number;
  readonly #nonce: () => string;
  /** Bytes counted since the tunnel was bound, and the part of them acknowledged. */
  readonly #sent: Mark = { all: 0, control: 0 };
  #acked: Mark = { all: 0, control: 0 };
  #sinceProbe = 0;
  /** Probes not yet answered, oldest first: their nonce and the count when each was sent. */
  readonly #pending: (Mark & { nonce: string })[] = [];
  /** Senders waiting for DATA credit, woken together by the next ack. */
  #waiters: (() => void)[] = [];

  constructor(options: UnreadOptions = {}) {
    this.#probeEvery = options.probeEvery ?? PROBE_EVERY_BYTES;
    this.#budget = options.budget ?? UNREAD_BUDGET_BYTES;
    this.#window = options.window ?? UNREAD_WINDOW_BYTES;
    this.#maxPending = options.maxPending ?? MAX_PENDING_PROBES;
    this.#nonce = options.nonce ?? (() => probeNonce());
  }

  /** Count `bytes` of one frame sent, `data` when it is DATA (probes themselves are not counted). */
  sent(bytes: number, data = false): UnreadVerdict {
    this.#sent.all += bytes;
    if (!data) this.#sent.control += bytes;
    this.#sinceProbe += bytes;
    const verdict: UnreadVerdict = { over: this.unread > this.#budget };
    if (!verdict.over && this.#sinceProbe >= this.#probeEvery) {
      this.#sinceProbe = 0;
      const nonce = this.#nonce();
      this.#pending.push({ nonce, ...this.#sent });
      if (this.#pending.length > this.#maxPending) this.#pending.shift();
      verdict.probe = nonce;
    }
    return verdict;
  }

  /** The client answered the probe with `nonce`: everything sent before it was read. False for a nonce not awaited. */
  acked(nonce: string): boolean {
    const index = this.#pending.findIndex((probe) => probe.nonce === nonce);
    if (index < 0) return false;
    const { all, control } = this.#pending[index] as Mark;
    this.#acked = { all, control };
    this.#pending.splice(0, index + 1);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
    return true;
  }

  /** Bytes of non-DATA frames sent and not yet known to be read (the budget's measure). */
  get unread(): number {
    return this.#sent.control - this.#acked.control;
  }

  /** Bytes of DATA any stream may send now: what the window leaves of everything unread. */
  available(): number {
    return Math.max(0, this.#window - (this.#sent.all - this.#acked.all));
  }

  /** Resolves at the next ack. */
  waitForCredit(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** For tests and status: bytes counted, unread (all frames; non-DATA ones), probes and senders waiting. */
  stats(): { sent: number; unread: number; unreadControl: number; pendingProbes: number; waiting: number } {
    return {
      sent: this.#sent.all,
      unread: this.#sent.all - this.#acked.all,
      unreadControl: this.unread,
      pendingProbes: this.#pending.length,
      waiting: this.#waiters.length,
    };
  }
}
