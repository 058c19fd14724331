/**
 * What both ends share about a viewer's WebSocket. Its messages do not cross the tunnel (since v4):
 * the client makes a data connection per upgraded stream, which the gateway's runtime couples to
 * the viewer's socket (docs/protocol.md, "Upgraded streams"). Left here are the size cap and the
 * close rules the client applies when it passes a close between the origin and that connection.
 */

/**
 * Largest message either way, in bytes: the Workers runtime's own WebSocket message cap (32 MiB),
 * which it enforces in the coupling (a bigger message closes the sender with 1009). The client
 * applies it to what the origin sends, so an origin's oversized message gets the same 1009.
 */
export const MAX_WEBSOCKET_MESSAGE = 32 * 1024 * 1024;
/** Longest close reason, in UTF-8 bytes: a close frame's payload is at most 125 bytes, 2 of them the code (RFC 6455 §5.5). */
export const MAX_CLOSE_REASON = 123;
/** Close code meaning "closed without a code" on the receiving end; it is never sent (RFC 6455 §7.4.1). */
const NO_STATUS = 1005;

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
