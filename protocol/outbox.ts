/**
 * The send side of one stream: one write chain, so chunks and END go out in the order written, and one send loop that frames each chunk as DATA frames of at most
 * MAX_DATA bytes, never more than the peer's window (flow.ts). Inbox's counterpart.
 */
import { type SharedCredit, SendWindow } from './flow';
import { type Frame, MAX_DATA } from './frames';

/** How one write is framed into DATA frames. */
export interface WriteOptions {
  /** End our direction with this write: END flag on its last frame (an empty chunk sends an END frame). Default false. */
  end?: boolean;
}

/** What the outbox needs from its stream. */
export interface OutboxHost {
  /** Put one frame on the wire. */
  send(frame: Frame): void;
  /** Throw (StreamResetError) when the stream may not send: reset, or our direction ended. */
  assertWritable(): void;
  /** Our direction just ended: an END frame or flag went out. */
  ended(): void;
  /** The connection's shared brake on DATA, if it has one (the gateway's: unread.ts). */
  shared?: SharedCredit;
}

export class Outbox {
  /** The peer's window as we see it; respond() spends from it too. */
  readonly window: SendWindow;
  readonly #stream: number;
  readonly #host: OutboxHost;
  #chain: Promise<void> = Promise.resolve();
  /** The one wait for shared credit this stream has pending: a WINDOW frame must not add another. */
  #sharedWait: Promise<void> | null = null;

  /** `stream`: the stream id; `window`: the peer's initial window, in bytes. */
  constructor(stream: number, window: number, host: OutboxHost) {
    this.#stream = stream;
    this.window = new SendWindow(window);
    this.#host = host;
  }

  /**
   * Queue a chunk after every earlier write; resolves once all of it is sent within the peer's
   * window, rejects with what assertWritable() throws (the stream was reset or already ended).
   */
  write(chunk: Uint8Array, options: WriteOptions = {}): Promise<void> {
    const next = this.#chain.then(() => this.#send(chunk, options));
    this.#chain = next.catch(() => {});
    return next;
  }

  /** The one send loop. */
  async #send(chunk: Uint8Array, { end = false }: WriteOptions): Promise<void> {
    const stream = this.#stream;
    if (chunk.length === 0) {
      if (!end) return;
      this.#host.assertWritable();
      this.#host.send({ type: 'END', stream });
      return this.#host.ended();
    }
    let offset = 0;
    do {
      // Checked before every frame: a send may fail the tunnel, and with it this stream.
      this.#host.assertWritable();
      if (offset < chunk.length && this.window.available === 0) {
        await this.window.waitForCredit();
        continue;
      }
      const shared = this.#host.shared?.available() ?? Number.POSITIVE_INFINITY;
      if (shared <= 0) {
        await this.#waitShared(this.#host.shared as SharedCredit);
        continue;
      }
      // A chunk may be split anywhere: one byte of window is enough to go on.
      const size = Math.min(chunk.length - offset, this.window.available, MAX_DATA, shared);
      const last = offset + size === chunk.length;
      const data = chunk.subarray(offset, offset + size);
      this.#host.send({ type: 'DATA', stream, data, end: end && last });
      this.window.spend(size);
      offset += size;
      if (end && last) this.#host.ended();
    } while (offset < chunk.length);
  }

  /** Until the shared credit may have grown, or the stream fails (its window's waiter is rejected then). */
  async #waitShared(shared: SharedCredit): Promise<void> {
    this.#sharedWait ??= shared.waitForCredit().finally(() => (this.#sharedWait = null));
    await Promise.race([this.#sharedWait, this.window.waitForCredit()]);
  }
}
