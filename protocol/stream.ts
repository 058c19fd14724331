/**
 * One multiplexed stream: its state machine, its receive queue with credit
 * accounting, and its send side that never exceeds the peer's window.
 */
import { StreamResetError } from './errors';
import { type Frame, MAX_DATA, type OpenRequest, ResetCode, type ResponseHead } from './frames';

/**
 * open ──END sent──▶ local-closed ──END received──▶ closed
 *  └──END received──▶ remote-closed ──END sent──▶ closed
 * any non-terminal state ──RESET either way──▶ reset
 */
export type StreamState = 'open' | 'local-closed' | 'remote-closed' | 'closed' | 'reset';

/** What a stream needs from its multiplexer. */
export interface StreamHost {
  send(frame: Frame): void;
  /** The stream reached a terminal state: forget it. */
  release(stream: MuxStream): void;
  /** The peer broke the protocol on this stream (the stream is reset). */
  streamError(stream: MuxStream, message: string): void;
}

export interface Message {
  data: Uint8Array;
  text: boolean;
  /** Upgraded streams: the WebSocket message continues in the next DATA. */
  more?: boolean;
  /** Upgraded streams: this is the peer's WebSocket close (`code:u16 | reason`). */
  close?: boolean;
}

/** What an upgraded stream carries: whole WebSocket messages, then a close. */
export type WsEvent =
  | { type: 'message'; data: Uint8Array; text: boolean }
  /** `code` null: the peer closed without a code (1005). */
  | { type: 'close'; code: number | null; reason: string };

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/**
 * The close code an endpoint may send on for a peer's close (RFC 6455 §7.4):
 * undefined for "no code" (null, and 1005/1006/1015, which are never sent),
 * the code itself when it may be sent, else 1000.
 */
export function sendableCloseCode(code: number | null): number | undefined {
  if (code === null || code === 1005 || code === 1006 || code === 1015) return undefined;
  return (code >= 1000 && code <= 1014 && code !== 1004) || (code >= 3000 && code <= 4999) ? code : 1000;
}

interface Waiter<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

const MAX_WINDOW = 2 ** 31 - 1;

export class MuxStream {
  readonly id: number;
  /** The request that opened the stream (set on the client side). */
  readonly request: OpenRequest | undefined;
  #state: StreamState = 'open';
  #host: StreamHost;
  #error: StreamResetError | null = null;
  #doneWaiters: ((error: StreamResetError | null) => void)[] = [];

  // Receive side.
  #queue: Message[] = [];
  #reader: Waiter<Message | null> | null = null;
  #recvWindow: number;
  #unacked = 0;
  #updateThreshold: number;
  #head: ResponseHead | null = null;
  #headWaiter: Waiter<ResponseHead> | null = null;

  // Send side.
  #sendWindow: number;
  #creditWaiter: Waiter<void> | null = null;
  #writes: Promise<void> = Promise.resolve();

  constructor(id: number, host: StreamHost, window: number, request?: OpenRequest, state: StreamState = 'open') {
    this.id = id;
    this.#state = state;
    this.#host = host;
    this.#recvWindow = window;
    this.#sendWindow = window;
    this.#updateThreshold = Math.max(1, Math.floor(window / 4));
    this.request = request;
  }

  get state(): StreamState {
    return this.#state;
  }

  /** Bytes the peer still lets us send before it returns credit. */
  get sendWindow(): number {
    return this.#sendWindow;
  }

  /** Bytes we still accept from the peer before we return credit. */
  get recvWindow(): number {
    return this.#recvWindow;
  }

  /** Resolves when the stream is finished: null when both sides ended, the error when it was reset. */
  done(): Promise<StreamResetError | null> {
    if (this.#state === 'closed') return Promise.resolve(null);
    if (this.#state === 'reset') return Promise.resolve(this.#error);
    return new Promise((resolve) => this.#doneWaiters.push(resolve));
  }

  // ── receive side ────────────────────────────────────────────────────────

  /** The response head (gateway side); rejects if the stream is reset first. */
  head(): Promise<ResponseHead> {
    if (this.#head) return Promise.resolve(this.#head);
    if (this.#error) return Promise.reject(this.#error);
    return new Promise((resolve, reject) => {
      this.#headWaiter = { resolve, reject };
    });
  }

  /** Next message from the peer, or null after its END. Reading returns credit. */
  async readMessage(): Promise<Message | null> {
    const queued = this.#queue.shift();
    if (queued) {
      if (!queued.close) this.#consumed(queued.data.length);
      return queued;
    }
    if (this.#error) throw this.#error;
    if (this.#remoteEnded()) return null;
    const message = await new Promise<Message | null>((resolve, reject) => {
      this.#reader = { resolve, reject };
    });
    if (message && !message.close) this.#consumed(message.data.length);
    return message;
  }

  /**
   * Upgraded streams: the next whole WebSocket message (fragments joined), the
   * peer's close, or null when the peer ended without a close. A message over
   * `maxBytes` resets the stream.
   */
  async readWs(maxBytes: number): Promise<WsEvent | null> {
    const parts: Uint8Array[] = [];
    let size = 0;
    let text = false;
    for (;;) {
      const message = await this.readMessage();
      if (message === null) {
        if (parts.length > 0) throw this.#fail(ResetCode.PROTOCOL_ERROR, 'the peer ended inside a message');
        return null;
      }
      if (message.close) {
        const data = message.data;
        if (data.length < 2) return { type: 'close', code: null, reason: '' };
        const code = (data[0] as number) * 256 + (data[1] as number);
        return { type: 'close', code, reason: fromUtf8.decode(data.subarray(2)) };
      }
      if (parts.length === 0) text = message.text;
      size += message.data.length;
      if (size > maxBytes) throw this.#fail(ResetCode.PROTOCOL_ERROR, `a WebSocket message over ${maxBytes} bytes`);
      parts.push(message.data);
      if (message.more) continue;
      if (parts.length === 1) return { type: 'message', data: parts[0] as Uint8Array, text };
      const data = new Uint8Array(size);
      let offset = 0;
      for (const part of parts) {
        data.set(part, offset);
        offset += part.length;
      }
      return { type: 'message', data, text };
    }
  }

  #fail(code: number, message: string): StreamResetError {
    this.reset(code, message);
    return new StreamResetError(code, message, false);
  }

  /** Next body chunk, or null at the end. */
  async read(): Promise<Uint8Array | null> {
    return (await this.readMessage())?.data ?? null;
  }

  #remoteEnded(): boolean {
    return this.#state === 'remote-closed' || this.#state === 'closed';
  }

  #consumed(bytes: number): void {
    if (this.#remoteEnded() || this.#state === 'reset') return;
    this.#unacked += bytes;
    if (this.#unacked >= this.#updateThreshold) {
      const credit = this.#unacked;
      this.#unacked = 0;
      this.#recvWindow += credit;
      this.#host.send({ type: 'WINDOW', stream: this.id, credit });
    }
  }

  /** @internal Called by the multiplexer for each frame of this stream. */
  receive(frame: Frame): void {
    switch (frame.type) {
      case 'DATA':
        this.#receiveData({
          data: frame.data,
          text: frame.text,
          ...(frame.more ? { more: true } : {}),
          ...(frame.close ? { close: true } : {}),
        });
        if (frame.end && this.#state !== 'reset') this.#receiveEnd();
        break;
      case 'END':
        this.#receiveEnd();
        break;
      case 'RESET':
        this.#terminate(new StreamResetError(frame.code, frame.message || 'reset by peer', true));
        break;
      case 'WINDOW':
        this.#receiveWindow(frame.credit);
        break;
      case 'RESPONSE':
        if (!this.#receiveHead(frame.body) || frame.final === undefined) break;
        this.#receiveData({ data: frame.final, text: false });
        if (this.#state !== 'reset') this.#receiveEnd();
        break;
      default:
        this.#host.streamError(this, `${frame.type} frame is not valid on stream ${this.id}`);
    }
  }

  #receiveData(message: Message): void {
    if (this.#remoteEnded()) {
      this.#host.streamError(this, `DATA after END on stream ${this.id}`);
      return;
    }
    // A WebSocket close (at most 125 bytes) is outside flow control, so a tiny window cannot hold it up.
    if (!message.close && message.data.length > this.#recvWindow) {
      this.#host.send({ type: 'RESET', stream: this.id, code: ResetCode.FLOW_CONTROL, message: 'window exceeded' });
      this.#terminate(
        new StreamResetError(
          ResetCode.FLOW_CONTROL,
          `peer sent ${message.data.length} bytes with only ${this.#recvWindow} of window`,
          false,
        ),
      );
      return;
    }
    if (!message.close) this.#recvWindow -= message.data.length;
    const reader = this.#reader;
    if (reader) {
      this.#reader = null;
      reader.resolve(message);
    } else {
      this.#queue.push(message);
    }
  }

  #receiveEnd(): void {
    if (this.#state === 'open') this.#state = 'remote-closed';
    else if (this.#state === 'local-closed') this.#finish();
    else {
      this.#host.streamError(this, `END after END on stream ${this.id}`);
      return;
    }
    if (this.#queue.length === 0 && this.#reader) {
      const reader = this.#reader;
      this.#reader = null;
      reader.resolve(null);
    }
  }

  #receiveWindow(credit: number): void {
    if (credit === 0) {
      this.#host.streamError(this, `WINDOW of 0 on stream ${this.id}`);
      return;
    }
    if (this.#sendWindow + credit > MAX_WINDOW) {
      this.#host.send({ type: 'RESET', stream: this.id, code: ResetCode.FLOW_CONTROL, message: 'window overflow' });
      this.#terminate(
        new StreamResetError(ResetCode.FLOW_CONTROL, 'peer granted more than 2^31-1 bytes of window', false),
      );
      return;
    }
    this.#sendWindow += credit;
    const waiter = this.#creditWaiter;
    this.#creditWaiter = null;
    waiter?.resolve();
  }

  #receiveHead(head: ResponseHead): boolean {
    if (this.#head || this.request) {
      this.#host.streamError(this, `unexpected RESPONSE on stream ${this.id}`);
      return false;
    }
    this.#head = head;
    const waiter = this.#headWaiter;
    this.#headWaiter = null;
    waiter?.resolve(head);
    return true;
  }

  // ── send side ───────────────────────────────────────────────────────────

  /**
   * Send the response head (client side). With `final`, the whole body goes
   * in the same frame and our direction ends: one frame for a small response.
   */
  respond(head: ResponseHead, final?: Uint8Array): void {
    this.#assertWritable();
    if (final === undefined) {
      this.#host.send({ type: 'RESPONSE', stream: this.id, body: head });
      return;
    }
    if (final.length > Math.min(this.#sendWindow, MAX_DATA)) {
      throw new RangeError(`a final body of ${final.length} bytes does not fit the window`);
    }
    this.#sendWindow -= final.length;
    this.#host.send({ type: 'RESPONSE', stream: this.id, body: head, final });
    this.#localEnded();
  }

  /**
   * Queue body bytes; resolves once they are all sent within the peer's window.
   * With `last`, the final frame also ends our direction (no separate END).
   */
  write(chunk: Uint8Array, last = false): Promise<void> {
    const next = this.#writes.then(() => this.#send(chunk, last));
    this.#writes = next.catch(() => {});
    return next;
  }

  /** Upgraded streams: queue one WebSocket message (split into frames within the window). */
  sendWs(data: Uint8Array, text: boolean): Promise<void> {
    const next = this.#writes.then(() => this.#sendMessage(data, text));
    this.#writes = next.catch(() => {});
    return next;
  }

  /** Upgraded streams: our side's WebSocket close (code null: none), which also ends our direction. */
  sendWsClose(code: number | null, reason: string): Promise<void> {
    const next = this.#writes.then(async () => {
      let payload = new Uint8Array(0);
      if (code !== null) {
        const text = utf8.encode(reason).subarray(0, 123);
        payload = new Uint8Array(2 + text.length);
        payload[0] = code >> 8;
        payload[1] = code & 0xff;
        payload.set(text, 2);
      }
      this.#assertWritable();
      // Outside flow control (see #receiveData): a close is never held up by a full window.
      this.#host.send({ type: 'DATA', stream: this.id, data: payload, text: false, close: true, end: true });
      this.#localEnded();
    });
    this.#writes = next.catch(() => {});
    return next;
  }

  /** Wait until the peer's window has room for `bytes`. */
  async #credit(bytes: number): Promise<void> {
    this.#assertWritable();
    while (this.#sendWindow < bytes) {
      await new Promise<void>((resolve, reject) => {
        this.#creditWaiter = { resolve, reject };
      });
      this.#assertWritable();
    }
  }

  async #sendMessage(data: Uint8Array, text: boolean): Promise<void> {
    let offset = 0;
    do {
      // A message may be split anywhere: one byte of window is enough to go on.
      await this.#credit(data.length > offset ? 1 : 0);
      const size = Math.min(data.length - offset, this.#sendWindow, MAX_DATA);
      const more = offset + size < data.length;
      const chunk = data.subarray(offset, offset + size);
      this.#host.send({ type: 'DATA', stream: this.id, data: chunk, text, ...(more ? { more: true } : {}) });
      this.#sendWindow -= size;
      offset += size;
    } while (offset < data.length);
  }

  /** Finish our direction after every queued write. */
  end(): Promise<void> {
    const next = this.#writes.then(() => {
      this.#assertWritable();
      this.#host.send({ type: 'END', stream: this.id });
      this.#localEnded();
    });
    this.#writes = next.catch(() => {});
    return next;
  }

  #localEnded(): void {
    if (this.#state === 'open') this.#state = 'local-closed';
    else this.#finish();
  }

  async #send(chunk: Uint8Array, last: boolean): Promise<void> {
    if (chunk.length === 0 && last) {
      this.#assertWritable();
      this.#host.send({ type: 'END', stream: this.id });
      this.#localEnded();
      return;
    }
    let offset = 0;
    while (offset < chunk.length) {
      this.#assertWritable();
      if (this.#sendWindow === 0) {
        await new Promise<void>((resolve, reject) => {
          this.#creditWaiter = { resolve, reject };
        });
        continue;
      }
      const size = Math.min(chunk.length - offset, this.#sendWindow, MAX_DATA);
      const end = last && offset + size === chunk.length;
      this.#host.send({ type: 'DATA', stream: this.id, data: chunk.subarray(offset, offset + size), text: false, end });
      this.#sendWindow -= size;
      offset += size;
      if (end) this.#localEnded();
    }
  }

  #assertWritable(): void {
    if (this.#error) throw this.#error;
    if (this.#state === 'local-closed' || this.#state === 'closed') {
      throw new StreamResetError(ResetCode.STREAM_CLOSED, `stream ${this.id} already ended`, false);
    }
  }

  /** Abort the stream both ways. Sends RESET unless the tunnel itself is gone. */
  reset(code: number, message: string): void {
    if (this.#state === 'closed' || this.#state === 'reset') return;
    if (code !== ResetCode.TUNNEL_CLOSED) this.#host.send({ type: 'RESET', stream: this.id, code, message });
    this.#terminate(new StreamResetError(code, message, false));
  }

  /** @internal Reset without sending anything (tunnel gone, or protocol error already answered). */
  terminate(error: StreamResetError): void {
    this.#terminate(error);
  }

  #terminate(error: StreamResetError): void {
    if (this.#state === 'closed' || this.#state === 'reset') return;
    this.#state = 'reset';
    this.#error = error;
    this.#queue = [];
    for (const waiter of [this.#reader, this.#headWaiter, this.#creditWaiter]) waiter?.reject(error);
    this.#reader = this.#headWaiter = this.#creditWaiter = null;
    this.#host.release(this);
    this.#notifyDone(error);
  }

  #finish(): void {
    this.#state = 'closed';
    this.#host.release(this);
    this.#notifyDone(null);
  }

  #notifyDone(error: StreamResetError | null): void {
    const waiters = this.#doneWaiters;
    this.#doneWaiters = [];
    for (const resolve of waiters) resolve(error);
  }
}
