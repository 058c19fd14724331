/**
 * A body as the request log keeps it: every byte counted, the first `limit`
 * bytes copied (so the log never pins the tunnel's or the socket's buffers),
 * and shown as text or base64 with a SHA-256 only when someone asks.
 */
import { createHash } from 'node:crypto';
import type { LoggedBody } from './record';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** C0 controls other than tab, LF, CR, and DEL: a body holding them is shown as binary. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** The bytes as text, when they are UTF-8 without control characters (a sequence cut at the end is dropped), else null. */
export function asText(bytes: Uint8Array): string | null {
  // A multi-byte sequence cut by the bound: up to 3 bytes at the end may be an incomplete character.
  for (let cut = 0; cut <= Math.min(3, bytes.length); cut++) {
    try {
      const text = utf8.decode(bytes.subarray(0, bytes.length - cut));
      return CONTROL.test(text) ? null : text;
    } catch {
      // Not UTF-8 with this many bytes left off: try one more.
    }
  }
  return null;
}

/**
 * A body's kept bytes live in one buffer of its own that grows by doubling (up to the limit) as
 * chunks come: a body that arrives in many tiny chunks (a viewer trickling an upload a byte at a
 * time) costs one buffer, not one Buffer object per chunk (each some 200 bytes of heap, so 1-byte
 * chunks would cost 200 times what the log's byte bound counts). What the buffer holds, its unused
 * room included, is what `held` reports and the log's bound counts.
 */
export class BodyCapture {
  /** Bytes that crossed. */
  bytes = 0;
  #limit: number;
  #buffer: Buffer | null = null;
  #captured = 0;

  /** `limit`: bytes kept at most (≥ 0). */
  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Bytes kept so far. */
  get captured(): number {
    return this.#captured;
  }

  /** Bytes of memory the kept bytes take, room to grow included (what the log's memory bound counts). */
  get held(): number {
    return this.#buffer?.length ?? 0;
  }

  add(chunk: Uint8Array): void {
    this.bytes += chunk.length;
    const room = this.#limit - this.#captured;
    if (room <= 0 || chunk.length === 0) return;
    const take = Math.min(room, chunk.length);
    const need = this.#captured + take;
    if (this.#buffer === null || this.#buffer.length < need) {
      // The first chunk gets a buffer of its size (a body in one chunk has no unused room); then doubling.
      const size = this.#buffer === null ? need : Math.min(this.#limit, Math.max(need, this.#buffer.length * 2));
      const grown = Buffer.allocUnsafeSlow(size);
      if (this.#buffer !== null) this.#buffer.copy(grown, 0, 0, this.#captured);
      this.#buffer = grown;
    }
    this.#buffer.set(chunk.subarray(0, take), this.#captured);
    this.#captured = need;
  }

  /** Let go of the kept bytes and keep no more; bytes are still counted (the ring let its request go). */
  release(): void {
    this.#limit = 0;
    this.#captured = 0;
    this.#buffer = null;
  }

  /** The whole body, when all of it was kept; null when it was cut by the bound. */
  whole(): Buffer | null {
    return this.bytes > this.#captured ? null : this.#kept();
  }

  /** The body as the detail view shows it; undefined when none crossed. */
  view(): LoggedBody | undefined {
    if (this.bytes === 0) return undefined;
    const kept = this.#kept();
    const body: LoggedBody = {
      bytes: this.bytes,
      captured: kept.length,
      truncated: this.bytes > kept.length,
      sha256: createHash('sha256').update(kept).digest('hex'),
    };
    const text = asText(kept);
    if (text !== null) body.text = text;
    else body.base64 = kept.toString('base64');
    return body;
  }

  #kept(): Buffer {
    return this.#buffer === null ? Buffer.alloc(0) : this.#buffer.subarray(0, this.#captured);
  }
}
