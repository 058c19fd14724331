/**
 * A WebSocket carried over an upgraded stream, the same for both bridges (the gateway's viewer
 * socket, the client's origin socket): whole messages each way, text and binary kept apart, then
 * one close with its code and reason (RFC 6455 §5.5.1, §7.4). A message is one chunk, split into
 * fragments (DATA with MORE) by the stream's window; the close travels outside flow control.
 */
import { StreamResetError } from './errors';
import { ResetCode } from './frames';
import type { MuxStream } from './stream';

/** Largest message either way, in bytes, by default: the Workers runtime's own WebSocket message cap (32 MiB). */
export const MAX_WEBSOCKET_MESSAGE = 32 * 1024 * 1024;
/** Longest close reason, in UTF-8 bytes: a close frame's payload is at most 125 bytes, 2 of them the code (RFC 6455 §5.5). */
export const MAX_CLOSE_REASON = 123;
/** Close code meaning "closed without a code" on the receiving end; it is never sent (RFC 6455 §7.4.1). */
const NO_STATUS = 1005;

/** What the peer sent: a whole message, or its close. */
export type WebSocketEvent =
  | { type: 'message'; data: Uint8Array; text: boolean }
  /** `code` null: the peer closed without a code (1005). */
  | { type: 'close'; code: number | null; reason: string };

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/**
 * The close code an endpoint may send on for a peer's close (RFC 6455 §7.4): undefined for "no
 * code" (null, and 1005/1006/1015, which are never sent), the code itself when it may be sent
 * (1000–1014 but 1004, 3000–4999), else 1000.
 */
export function sendableCloseCode(code: number | null): number | undefined {
  if (code === null || code === NO_STATUS || code === 1006 || code === 1015) return undefined;
  return (code >= 1000 && code <= 1014 && code !== 1004) || (code >= 3000 && code <= 4999) ? code : 1000;
}

/** `reason` cut to at most MAX_CLOSE_REASON UTF-8 bytes, at a character boundary (a socket's close() throws beyond). */
export function closeReason(reason: string): string {
  let bytes = 0;
  let length = 0;
  for (const char of reason) {
    const point = char.codePointAt(0) as number;
    // UTF-8 length of one code point; a lone surrogate is sent as U+FFFD, 3 bytes.
    bytes += point < 0x80 ? 1 : point < 0x800 ? 2 : point < 0x10000 ? 3 : 4;
    if (bytes > MAX_CLOSE_REASON) break;
    length += char.length;
  }
  return reason.slice(0, length);
}

/** The close payload on the wire: `code:u16 | UTF-8 reason`, or empty for "no code" (null or 1005). */
export function encodeClose(code: number | null, reason: string): Uint8Array {
  if (code === null || code === NO_STATUS) return new Uint8Array(0);
  const text = utf8.encode(closeReason(reason));
  const payload = new Uint8Array(2 + text.length);
  payload[0] = code >> 8;
  payload[1] = code & 0xff;
  payload.set(text, 2);
  return payload;
}

/** Read a close payload (the codec guarantees 0 or at least 2 bytes); the reason is cut as closeReason does. */
export function decodeClose(payload: Uint8Array): { code: number | null; reason: string } {
  if (payload.length < 2) return { code: null, reason: '' };
  const code = (payload[0] as number) * 256 + (payload[1] as number);
  return { code, reason: closeReason(fromUtf8.decode(payload.subarray(2))) };
}

export interface UpgradedStreamOptions {
  /** Largest message accepted from the peer, in bytes; a bigger one resets the stream. Default MAX_WEBSOCKET_MESSAGE. */
  maxMessage?: number;
}

/** One end of a WebSocket over an upgraded stream (after the RESPONSE 101). */
export class UpgradedStream {
  readonly stream: MuxStream;
  readonly #maxMessage: number;

  constructor(stream: MuxStream, options: UpgradedStreamOptions = {}) {
    this.stream = stream;
    this.#maxMessage = options.maxMessage ?? MAX_WEBSOCKET_MESSAGE;
  }

  /** Queue one message; resolves once it is all sent within the window, rejects with StreamResetError. */
  send(data: Uint8Array, text: boolean): Promise<void> {
    return this.stream.write(data, { message: { text } });
  }

  /**
   * Queue our close after every queued message; it also ends our direction. `code` as the socket
   * reported it: null or 1005 sends a close without a code. The reason is cut to MAX_CLOSE_REASON bytes.
   */
  close(code: number | null, reason: string): Promise<void> {
    return this.stream.write(encodeClose(code, reason), { close: true });
  }

  /**
   * The peer's next whole message (fragments joined), its close, or null when it ended without
   * one. Rejects with StreamResetError when the stream is reset, or resets it (PROTOCOL_ERROR) for
   * a message over `maxMessage` bytes or an end inside a message.
   */
  async next(): Promise<WebSocketEvent | null> {
    const parts: Uint8Array[] = [];
    let size = 0;
    let text = false;
    for (;;) {
      const chunk = await this.stream.readChunk();
      if (chunk === null) {
        if (parts.length > 0) throw this.#fail('the peer ended inside a message');
        return null;
      }
      if (chunk.close) return { type: 'close', ...decodeClose(chunk.data) };
      // The first fragment says whether the message is text.
      if (parts.length === 0) text = chunk.text;
      size += chunk.data.length;
      if (size > this.#maxMessage) throw this.#fail(`a WebSocket message over ${this.#maxMessage} bytes`);
      parts.push(chunk.data);
      if (chunk.more) continue;
      return { type: 'message', data: parts.length === 1 ? (parts[0] as Uint8Array) : join(parts, size), text };
    }
  }

  /** Fail the WebSocket both ways: the stream is reset (see MuxStream.reset). */
  reset(code: number, reason: string): void {
    this.stream.reset(code, reason);
  }

  #fail(reason: string): StreamResetError {
    this.stream.reset(ResetCode.PROTOCOL_ERROR, reason);
    return new StreamResetError(ResetCode.PROTOCOL_ERROR, reason, false);
  }
}

function join(parts: Uint8Array[], size: number): Uint8Array {
  const data = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    data.set(part, offset);
    offset += part.length;
  }
  return data;
}
