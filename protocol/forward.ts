/**
 * The owner's side of raw TCP forwarding (`porthole forward`, docs/tcp-forwarding.md): one
 * WebSocket per forwarded connection, from the owner's machine to the gateway, whose messages are:
 * binary, the connection's bytes (at most MAX_FORWARD_MESSAGE each); text `window <n>`, n more bytes
 * the other side may send (each side starts with FORWARD_WINDOW); text `end`, the sender's direction
 * is finished (a TCP half-close). Shared by the gateway (gateway/session/tcp-pipe.ts) and the CLI.
 */
import { INITIAL_WINDOW, MAX_DATA } from './frames';

/** The WebSocket subprotocol of a forwarded connection; any change to its messages changes the version. */
export const TCP_SUBPROTOCOL = 'porthole.tcp.v1';

/** Bytes each side may send before the other gives window back (the multiplexer's stream window). */
export const FORWARD_WINDOW = INITIAL_WINDOW;

/** Window is given back in steps of at least a quarter window (as flow.ts does for streams). */
export const FORWARD_WINDOW_STEP = FORWARD_WINDOW / 4;

/** The largest binary message, in bytes (the multiplexer's MAX_DATA). */
export const MAX_FORWARD_MESSAGE = MAX_DATA;

/** The text of a window message, and its parser (null for anything else). */
export const windowMessage = (bytes: number): string => `window ${bytes}`;
export function parseWindow(text: string): number | null {
  const match = /^window ([1-9][0-9]{0,9})$/.exec(text);
  return match ? Number(match[1]) : null;
}

/**
 * Forwarded TCP connections a session carries at once (the gateway's Session object): each may hold
 * up to a stream window (the client's bytes the owner has not read) and the owner's window (bytes
 * the client has not taken), 512 KiB, so 64 of them bound that at 32 MiB; past it the upgrade is
 * refused 429 `too_many_forwards`. The rest of MAX_STREAMS stays for previews.
 */
export const MAX_FORWARDS = 64;

/** The text that ends the sender's direction. */
export const END_MESSAGE = 'end';
