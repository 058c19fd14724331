/**
 * The owner's side of raw TCP forwarding (`porthole forward`, docs/tcp-forwarding.md): one
 * WebSocket per forwarded connection, from the owner's machine to the gateway, whose messages are:
 * binary, the connection's bytes (at most MAX_FORWARD_MESSAGE each); text `window <n>`, n more bytes
 * the other side may send (each side starts with FORWARD_WINDOW); text `end`, the sender's direction
 * is finished (a TCP half-close). Shared by the gateway (gateway/session/tcp-pipe.ts) and the CLI.
 */

/** The WebSocket subprotocol of a forwarded connection; any change to its messages changes the version. */
export const TCP_SUBPROTOCOL = 'porthole.tcp.v1';

/** Bytes each side may send before the other gives window back (the multiplexer's stream window). */
export const FORWARD_WINDOW = 256 * 1024;

/** Window is given back in steps of at least a quarter window (as flow.ts does for streams). */
export const FORWARD_WINDOW_STEP = FORWARD_WINDOW / 4;

/** The largest window a side may hold (RFC 9113 §6.9.1's bound); more is a protocol error. */
export const MAX_FORWARD_CREDIT = 2 ** 31 - 1;

/** The largest binary message, in bytes (the multiplexer's MAX_DATA). */
export const MAX_FORWARD_MESSAGE = 64 * 1024;

/** The text of a window message, and its parser (null for anything else). */
export const windowMessage = (bytes: number): string => `window ${bytes}`;
export function parseWindow(text: string): number | null {
  const match = /^window ([1-9][0-9]{0,9})$/.exec(text);
  return match ? Number(match[1]) : null;
}

/** The text that ends the sender's direction. */
export const END_MESSAGE = 'end';
