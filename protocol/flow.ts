/**
 * Flow control of one stream, as HTTP/2 does it (RFC 9113 §5.2, §6.9): each direction has a
 * window, the bytes the receiver still accepts. A sender spends window on every DATA byte; the
 * receiver returns credit (a WINDOW frame) as its consumer reads. The window is the only brake:
 * Workers' WebSocket `send` has no backpressure of its own. Accounting only: no frames are sent here.
 */

/** Largest window a side may hold, in bytes (RFC 9113 §6.9.1). */
export const MAX_WINDOW = 2 ** 31 - 1;

/** Our side's view of the peer's window: how many DATA bytes we may still send. */
export class SendWindow {
  #available: number;
  #waiter: { resolve(): void; reject(error: Error): void } | null = null;

  /** `initial`: the peer's initial window, in bytes. */
  constructor(initial: number) {
    this.#available = initial;
  }

  /** Bytes we may send before the peer returns credit. */
  get available(): number {
    return this.#available;
  }

  /** Spend window on `bytes` of DATA about to be sent. */
  spend(bytes: number): void {
    if (bytes > this.#available) throw new RangeError(`${bytes} bytes do not fit a window of ${this.#available}`);
    this.#available -= bytes;
  }

  /** The peer returned `credit` bytes. False, and nothing changes, when the window would pass MAX_WINDOW. */
  grant(credit: number): boolean {
    if (this.#available + credit > MAX_WINDOW) return false;
    this.#available += credit;
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.resolve();
    return true;
  }

  /** Resolves at the next grant (one sender waits at a time: the stream's single write chain). */
  waitForCredit(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** The stream failed: a sender waiting for credit gets `error`. */
  fail(error: Error): void {
    const waiter = this.#waiter;
    this.#waiter = null;
    waiter?.reject(error);
  }
}

/**
 * A brake on DATA shared by every stream of a connection, besides each stream's own window: the
 * gateway's is what its client is known to have read (gateway/session/unread.ts). Declared here,
 * by the send loop that uses it (outbox.ts).
 */
export interface SharedCredit {
  /** Bytes of DATA any stream may send now (0 or more). */
  available(): number;
  /** Resolves once available() may have grown; a sender checks again then. */
  waitForCredit(): Promise<void>;
}

/** Our own window: how many DATA bytes the peer may still send, and the credit owed back to it. */
export class ReceiveWindow {
  #available: number;
  /** Bytes our consumer read that the peer has not been credited for yet. */
  #owed = 0;
  /** Credit is returned in steps of a quarter window, not per read: fewer WINDOW frames. */
  readonly #step: number;

  /** `initial`: the window we granted the peer, in bytes. */
  constructor(initial: number) {
    this.#available = initial;
    this.#step = Math.max(1, Math.floor(initial / 4));
  }

  /** Bytes the peer may send before we return credit. */
  get available(): number {
    return this.#available;
  }

  /** The peer sent `bytes` of DATA. False, and nothing changes, when they exceed the window (a flow-control error). */
  receive(bytes: number): boolean {
    if (bytes > this.#available) return false;
    this.#available -= bytes;
    return true;
  }

  /** Our consumer read `bytes`: the credit to send in a WINDOW frame now, or 0 while under a step. */
  consume(bytes: number): number {
    this.#owed += bytes;
    if (this.#owed < this.#step) return 0;
    const credit = this.#owed;
    this.#owed = 0;
    this.#available += credit;
    return credit;
  }
}
