import { describe, expect, it } from 'vitest';
import { base32, newSessionId } from '../../../gateway/routing/base32';
import { isSessionId } from '../../../protocol/ids';

const ascii = (text: string) => new TextEncoder().encode(text);

describe('base32 (RFC 4648 §6 alphabet, lowercase, no padding)', () => {
  // RFC 4648 §10 test vectors, lowercased and without their `=` padding.
  it.each([
    ['', ''],
    ['f', 'my'],
    ['fo', 'mzxq'],
    ['foo', 'mzxw6'],
    ['foob', 'mzxw6yq'],
    ['fooba', 'mzxw6ytb'],
    ['foobar', 'mzxw6ytboi'],
  ])('BASE32(%j) = %j', (input, expected) => {
    expect(base32(ascii(input))).toBe(expected);
  });

  it('uses the whole alphabet a–z, 2–7 (all-ones and all-zeros bytes)', () => {
    expect(base32(new Uint8Array(5).fill(0xff))).toBe('77777777');
    expect(base32(new Uint8Array(5))).toBe('aaaaaaaa');
    expect(base32(Uint8Array.of(0x00, 0x44, 0x32, 0x14, 0xc7))).toBe('abcdefgh');
  });
});

describe('session ids', () => {
  it('are 16 base32 characters (80 random bits), and isSessionId says so', () => {
    const ids = new Set(Array.from({ length: 50 }, () => newSessionId()));
    expect(ids.size).toBe(50);
    for (const id of ids) expect(isSessionId(id)).toBe(true);
  });

  it.each(['', 'aaaaaaaaaaaaaaa', 'aaaaaaaaaaaaaaaaa', 'AAAAAAAAAAAAAAAA', 'aaaaaaaaaaaaaaa1', 'aaaaaaaaaaaaaaa8'])(
    'isSessionId(%j) is false',
    (text) => {
      expect(isSessionId(text)).toBe(false);
    },
  );
});
