/**
 * One multiplexed stream: its state (state.ts), the chunks received (inbox.ts; credit returned
 * as they are read, flow.ts) and the chunks sent (outbox.ts: one write chain, one send loop within
 * the peer's window). WebSocket messages over an upgraded stream are websocket.ts's.
 */
import { StreamResetError } from './errors';
import { ReceiveWindow, type SharedCredit } from './flow';
import { type Frame, MAX_DATA, ResetCode } from './frames';
import { type Chunk, Inbox } from './inbox';
import { Outbox, type WriteOptions } from './outbox';
import type { OpenRequest, ResponseHead } from './payloads';
import { afterEndReceived, afterEndSent, canReceive, canSend, isTerminal, StreamState } from './state';

/** What a stream needs from its multiplexer. */
export interface StreamHost {
  send(frame: Frame): void;
  /** The stream reached a terminal state: forget it. */
  release(stream: MuxStream): void;
  /** The peer broke the protocol on this stream (the stream is reset). */
  streamError(stream: MuxStream, reason: string): void;
  /** A brake on DATA shared by every stream (MuxOptions.sharedCredit), if any. */
  sharedCredit?: SharedCredit;
}

export class MuxStream {
  readonly id: number;
  /** The request that opened the stream (set on the client side). */
  readonly request: OpenRequest | undefined;
  #state: StreamState;
  readonly #host: StreamHost;
  #error: StreamResetError | null = null;
  readonly #done: Promise<StreamResetError | null>;
  #settleDone: (error: StreamResetError | null) => void = () => {};
  // Receive side.
  readonly #inbox: Inbox;
  readonly #receiveWindow: ReceiveWindow;
  readonly #head: Promise<ResponseHead>;
  #settleHead: { resolve(head: ResponseHead): void; reject(error: Error): void } | null = null;
  // Send side.
  readonly #outbox: Outbox;

  /** `window`: the initial window of both directions, in bytes. */
  constructor(id: number, host: StreamHost, window: number, request?: OpenRequest, state: StreamState = 'open') {
    this.id = id;
    this.#state = state;
    this.#host = host;
    this.#done = new Promise((resolve) => {
      this.#settleDone = resolve;
    });
    this.#inbox = new Inbox(!canReceive(state));
    this.#head = new Promise((resolve, reject) => {
      this.#settleHead = { resolve, reject };
    });
    this.#head.catch(() => {}); // A reset with nobody waiting for the head is no unhandled rejection.
    this.#receiveWindow = new ReceiveWindow(window);
    this.#outbox = new Outbox(id, window, {
      send: (frame) => host.send(frame),
      assertWritable: () => this.#assertWritable(),
      ended: () => this.#localEnded(),
      shared: host.sharedCredit,
    });
    this.request = request;
  }

  get state(): StreamState {
    return this.#state;
  }

  /** Bytes the peer still lets us send before it returns credit. */
  get sendWindow(): number {
    return this.#outbox.window.available;
  }

  /** Bytes we still accept from the peer before we return credit. */
  get recvWindow(): number {
    return this.#receiveWindow.available;
  }

  /** Resolves when the stream is finished: null when both sides ended, the error when it was reset. */
  done(): Promise<StreamResetError | null> {
    return this.#done;
  }

  // Receive side.

  /** The response head (gateway side); rejects with StreamResetError if the stream is reset first. */
  head(): Promise<ResponseHead> {
    return this.#head;
  }

  /** The next chunk from the peer, or null after its END; rejects with StreamResetError. Reading returns credit. */
  async readChunk(): Promise<Chunk | null> {
    const chunk = await this.#inbox.next();
    if (chunk) this.#consumed(chunk.data.length);
    return chunk;
  }

  /** The next chunk's bytes, or null at the end. */
  async read(): Promise<Uint8Array | null> {
    return (await this.readChunk())?.data ?? null;
  }

  #consumed(bytes: number): void {
    // Once the peer has ended (or the stream is gone) there is no one to credit.
    if (!canReceive(this.#state)) return;
    const credit = this.#receiveWindow.consume(bytes);
    if (credit > 0) this.#host.send({ type: 'WINDOW', stream: this.id, credit });
  }

  /** @internal Called by the multiplexer for each frame of this stream. */
  receive(frame: Frame): void {
    switch (frame.type) {
      case 'DATA':
        this.#receiveChunk({ data: frame.data });
        if (frame.end && this.#state !== StreamState.Reset) this.#receiveEnd();
        break;
      case 'END':
        this.#receiveEnd();
        break;
      case 'RESET':
        this.#terminate(new StreamResetError(frame.code, frame.reason || 'reset by peer', true));
        break;
      case 'WINDOW':
        this.#receiveCredit(frame.credit);
        break;
      case 'RESPONSE':
        if (!this.#receiveHead(frame.body) || frame.final === undefined) break;
        this.#receiveChunk({ data: frame.final });
        if (this.#state !== StreamState.Reset) this.#receiveEnd();
        break;
      default:
        this.#host.streamError(this, `${frame.type} frame is not valid on stream ${this.id}`);
    }
  }

  #receiveChunk(chunk: Chunk): void {
    if (!canReceive(this.#state)) return this.#host.streamError(this, `DATA after END on stream ${this.id}`);
    const window = this.#receiveWindow.available;
    if (!this.#receiveWindow.receive(chunk.data.length)) {
      const reason = `peer sent ${chunk.data.length} bytes with only ${window} of window`;
      return this.#flowControlError('window exceeded', reason);
    }
    this.#inbox.push(chunk);
  }

  #receiveEnd(): void {
    const next = afterEndReceived(this.#state);
    if (next === null) return this.#host.streamError(this, `END after END on stream ${this.id}`);
    this.#enter(next);
    this.#inbox.end();
  }

  #receiveCredit(credit: number): void {
    if (credit === 0) return this.#host.streamError(this, `WINDOW of 0 on stream ${this.id}`);
    if (!this.#outbox.window.grant(credit)) {
      this.#flowControlError('window overflow', 'peer granted more than 2^31-1 bytes of window');
    }
  }

  #flowControlError(sent: string, local: string): void {
    this.#host.send({ type: 'RESET', stream: this.id, code: ResetCode.FLOW_CONTROL, reason: sent });
    this.#terminate(new StreamResetError(ResetCode.FLOW_CONTROL, local, false));
  }

  /** False when the RESPONSE is not expected: a client-side stream, or a second one. */
  #receiveHead(head: ResponseHead): boolean {
    if (!this.#settleHead || this.request) {
      this.#host.streamError(this, `unexpected RESPONSE on stream ${this.id}`);
      return false;
    }
    this.#settleHead.resolve(head);
    this.#settleHead = null;
    return true;
  }

  // Send side.

  /**
   * Send the response head (client side), at once. With `final`, the whole body (at most
   * MAX_DATA bytes and within the window, else RangeError) goes in the same frame and our
   * direction ends: one frame for a small response.
   */
  respond(head: ResponseHead, final?: Uint8Array): void {
    this.#assertWritable();
    if (final === undefined) return this.#host.send({ type: 'RESPONSE', stream: this.id, body: head });
    if (final.length > Math.min(this.#outbox.window.available, MAX_DATA)) {
      throw new RangeError(`a final body of ${final.length} bytes does not fit the window`);
    }
    this.#outbox.window.spend(final.length);
    this.#host.send({ type: 'RESPONSE', stream: this.id, body: head, final });
    this.#localEnded();
  }

  /**
   * Queue a chunk after every earlier write; resolves once all of it is sent within the peer's
   * window, rejects with StreamResetError if the stream is reset or our direction already ended.
   */
  write(chunk: Uint8Array, options: WriteOptions = {}): Promise<void> {
    return this.#outbox.write(chunk, options);
  }

  /** Finish our direction after every queued write (an END frame). */
  end(): Promise<void> {
    return this.write(new Uint8Array(0), { end: true });
  }

  #localEnded(): void {
    this.#enter(afterEndSent(this.#state));
  }

  #assertWritable(): void {
    if (this.#error) throw this.#error;
    if (!canSend(this.#state)) {
      throw new StreamResetError(ResetCode.STREAM_CLOSED, `stream ${this.id} already ended`, false);
    }
  }

  /**
   * Abort the stream both ways (a no-op once it is closed or reset). Sends RESET, except for
   * TUNNEL_CLOSED: the tunnel itself is gone.
   */
  reset(code: number, reason: string): void {
    if (isTerminal(this.#state)) return;
    if (code !== ResetCode.TUNNEL_CLOSED) this.#host.send({ type: 'RESET', stream: this.id, code, reason });
    this.#terminate(new StreamResetError(code, reason, false));
  }

  #terminate(error: StreamResetError): void {
    if (isTerminal(this.#state)) return;
    this.#error = error;
    this.#inbox.fail(error);
    this.#settleHead?.reject(error);
    this.#settleHead = null;
    this.#outbox.window.fail(error);
    this.#enter(StreamState.Reset);
  }

  /** Move to `state`; a terminal one releases the stream and settles done(). */
  #enter(state: StreamState): void {
    this.#state = state;
    if (!isTerminal(state)) return;
    this.#host.release(this);
    this.#settleDone(this.#error);
  }
}
