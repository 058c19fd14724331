/**
 * The read probe (v3): how the gateway learns that its client reads what it
 * is sent. A Worker's WebSocket send() queues without limit and says nothing
 * of how much the peer has read, and only DATA is bounded by flow control:
 * port snapshots, OPEN heads, RESETs and WINDOWs are not. So the gateway sends
 * a text message `probe <n>` after every PROBE_EVERY_BYTES of them, and the
 * client answers `ack <n>` as soon as it reads it; messages are read in order,
 * so the answer proves that everything sent before the probe was read. Pure
 * text helpers, shared by both ends (no Node or Workers APIs).
 */

/** Bytes of non-DATA frames the gateway sends between two probes: 1 MiB. */
export const PROBE_EVERY_BYTES = 1024 * 1024;
/** Bytes of non-DATA frames a client may leave unacknowledged before its tunnel is closed (1008): 8 MiB. */
export const UNREAD_BUDGET_BYTES = 8 * 1024 * 1024;

/** Largest probe number: a u32, written in decimal. */
const MAX_SEQ = 0xffff_ffff;

/** The probe text for sequence number `seq` (0 to 2^32-1). */
export function probeMessage(seq: number): string {
  return `probe ${seq}`;
}

/** The client's answer to probe `seq`. */
export function ackMessage(seq: number): string {
  return `ack ${seq}`;
}

function parse(prefix: string, text: string): number | null {
  if (!text.startsWith(prefix) || text.length > prefix.length + 10) return null;
  const digits = text.slice(prefix.length);
  if (!/^[0-9]{1,10}$/.test(digits)) return null;
  const seq = Number(digits);
  return seq <= MAX_SEQ ? seq : null;
}

/** The sequence number of a `probe <n>` text message; null for any other text. */
export function parseProbe(text: string): number | null {
  return parse('probe ', text);
}

/** The sequence number of an `ack <n>` text message; null for any other text. */
export function parseAck(text: string): number | null {
  return parse('ack ', text);
}
