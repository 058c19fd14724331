/**
 * The read probe: how the gateway learns that its client reads what it is
 * sent. A Worker's WebSocket send() queues without limit and says nothing of
 * how much the peer has read; a stream's window bounds DATA only per stream,
 * and the client grants it (up to 2 GiB each). So the gateway counts every
 * frame it sends and, after every PROBE_EVERY_BYTES of them, sends a text
 * message `probe <nonce>` (v5: 64 random bits, fresh for each probe); the
 * client answers `ack <nonce>` as soon as it reads it. Messages are read in
 * order, so the answer proves that everything sent before the probe was read,
 * and only a client that read the probe can know its nonce. Pure text helpers,
 * shared by both ends (no Node or Workers APIs).
 */

/** Bytes of frames (DATA included) the gateway sends between two probes: 1 MiB. */
export const PROBE_EVERY_BYTES = 1024 * 1024;
/**
 * Bytes of non-DATA frames (snapshots, OPEN heads, RESETs, WINDOWs: nothing holds them back) a
 * client may leave unacknowledged before its tunnel is closed (1008): 8 MiB.
 */
export const UNREAD_BUDGET_BYTES = 8 * 1024 * 1024;
/**
 * Bytes of frames of every kind the gateway lets stand unacknowledged before it holds DATA back
 * (every stream waits for the next ack, whatever its window): 16 MiB. An upload through one tunnel
 * runs at most this much per round trip (probe to ack), e.g. 320 MiB/s at 50 ms; a client that
 * stops reading costs the gateway at most this plus UNREAD_BUDGET_BYTES.
 */
export const UNREAD_WINDOW_BYTES = 16 * 1024 * 1024;
/** Probes awaiting an answer that the gateway remembers; an older one is forgotten (a later ack covers it). */
export const MAX_PENDING_PROBES = 64;

/** A probe's nonce: 16 lowercase hex digits (64 bits). */
const NONCE = /^[0-9a-f]{16}$/;

/** A fresh nonce from `random` (64 bits; crypto.getRandomValues, present in Node and Workers). */
export function probeNonce(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  return Array.from(random(new Uint8Array(8)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The probe text for `nonce` (16 hex digits). */
export function probeMessage(nonce: string): string {
  return `probe ${nonce}`;
}

/** The client's answer to the probe with `nonce`. */
export function ackMessage(nonce: string): string {
  return `ack ${nonce}`;
}

function parse(prefix: string, text: string): string | null {
  if (!text.startsWith(prefix)) return null;
  const nonce = text.slice(prefix.length);
  return NONCE.test(nonce) ? nonce : null;
}

/** The nonce of a `probe <nonce>` text message; null for any other text. */
export function parseProbe(text: string): string | null {
  return parse('probe ', text);
}

/** The nonce of an `ack <nonce>` text message; null for any other text. */
export function parseAck(text: string): string | null {
  return parse('ack ', text);
}
