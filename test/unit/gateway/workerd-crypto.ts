/**
 * workerd's one extension to Web Crypto that the gateway uses,
 * `crypto.subtle.timingSafeEqual`, provided in Node from node:crypto so pure
 * gateway modules run under plain vitest.
 */
import { timingSafeEqual } from 'node:crypto';

type Bytes = ArrayBuffer | ArrayBufferView;
const view = (b: Bytes) =>
  ArrayBuffer.isView(b) ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(b);

export function installTimingSafeEqual(): void {
  const subtle = crypto.subtle as typeof crypto.subtle & { timingSafeEqual?: (a: Bytes, b: Bytes) => boolean };
  subtle.timingSafeEqual ??= (a, b) => timingSafeEqual(view(a), view(b));
}
