/**
 * Header bytes across the tunnel (issue 14 kind 5). Frames carry header values as byte strings, as
 * Node gives and takes them: each character one byte (latin1), so an origin's bytes cross as they
 * are. The Workers runtime speaks text instead: it decodes a viewer's header bytes as UTF-8 and
 * encodes a value it sends as UTF-8. So a value is turned into its UTF-8 bytes on the way to the
 * origin, and an origin's bytes are decoded as UTF-8 on the way back. The rule where the runtime
 * cannot carry the bytes (README "Header bytes"): a response header value that is not valid UTF-8
 * (raw Latin-1, say) is dropped and logged, since the runtime would send other bytes; a viewer's
 * request bytes that are not UTF-8 reach the origin as the runtime decoded them (U+FFFD).
 */

const NON_ASCII = /[^\t\x20-\x7e]/;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A value as the runtime gave it (text) as the byte string of its UTF-8 bytes. */
export function toByteString(value: string): string {
  if (!NON_ASCII.test(value)) return value;
  let out = '';
  for (const byte of encoder.encode(value)) out += String.fromCharCode(byte);
  return out;
}

/** A byte string as the text whose UTF-8 bytes it holds; null when they are not UTF-8 (or it is not a byte string). */
export function fromByteString(value: string): string | null {
  if (!NON_ASCII.test(value)) return value;
  const bytes = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code > 0xff) return null;
    bytes[i] = code;
  }
  try {
    return decoder.decode(bytes);
  } catch {
    return null;
  }
}
