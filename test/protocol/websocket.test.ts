/** The close rules the client applies between an origin's WebSocket and its data connection (websocket.ts). */
import { describe, expect, it } from 'vitest';
import { closeReason, MAX_CLOSE_REASON, sendableCloseCode } from '../../protocol';

const utf8 = new TextEncoder();

describe('close rules (RFC 6455 §5.5, §7.4)', () => {
  it('sends on a code that may be sent, none for "no code", and 1000 for the rest', () => {
    for (const code of [1000, 1001, 1003, 1007, 1011, 1014, 3000, 4000, 4999])
      expect(sendableCloseCode(code)).toBe(code);
    for (const code of [null, 1005, 1006, 1015]) expect(sendableCloseCode(code)).toBeUndefined();
    for (const code of [0, 999, 1004, 1016, 2000, 2999, 5000, 65535]) expect(sendableCloseCode(code)).toBe(1000);
  });

  it('cuts a reason to 123 UTF-8 bytes at a character boundary', () => {
    expect(MAX_CLOSE_REASON).toBe(123);
    expect(closeReason('bye')).toBe('bye');
    expect(closeReason('a'.repeat(200))).toBe('a'.repeat(123));
    // 'é' is 2 bytes: 61 of them are 122 bytes, and a 62nd would make 124.
    expect(closeReason('é'.repeat(100))).toBe('é'.repeat(61));
    // '😀' is 4 bytes (2 UTF-16 units): 30 are 120 bytes; never half a pair.
    expect(closeReason('😀'.repeat(40))).toBe('😀'.repeat(30));
    expect(utf8.encode(closeReason('x😀'.repeat(40))).length).toBeLessThanOrEqual(123);
  });
});
