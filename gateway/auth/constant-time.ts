/**
 * Constant-time comparison of two byte strings, with workerd's
 * `crypto.subtle.timingSafeEqual` (a Workers extension to Web Crypto; it
 * throws on different lengths, so callers compare lengths first, or digests).
 */
type Bytes = ArrayBuffer | ArrayBufferView;

export function timingSafeEqual(a: Bytes, b: Bytes): boolean {
  return (crypto.subtle as typeof crypto.subtle & { timingSafeEqual(a: Bytes, b: Bytes): boolean }).timingSafeEqual(
    a,
    b,
  );
}
