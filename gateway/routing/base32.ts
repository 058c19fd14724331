/** Lowercase RFC 4648 base32 without padding: DNS-safe and case-insensitive. */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

export function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** A fresh session id: 16 base32 characters, 80 random bits. */
export function newSessionId(): string {
  return base32(crypto.getRandomValues(new Uint8Array(10)));
}
