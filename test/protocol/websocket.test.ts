/** WebSocket messages over an upgraded stream (websocket.ts): fragments, the close, its code rule, the cap. */
import { describe, expect, it } from 'vitest';
import {
  closeReason,
  decodeClose,
  encodeClose,
  MAX_CLOSE_REASON,
  Mux,
  ProtocolError,
  ResetCode,
  sendableCloseCode,
  UpgradedStream,
} from '../../protocol';
import { filled, pair, request, until } from './pair';

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

  it('encodes a close as code:u16 | reason, and "no code" as nothing', () => {
    expect([...encodeClose(4001, 'ok')]).toEqual([0x0f, 0xa1, 0x6f, 0x6b]);
    expect(encodeClose(null, 'ignored').length).toBe(0);
    expect(encodeClose(1005, 'ignored').length).toBe(0);
    expect(encodeClose(1000, 'é'.repeat(100)).length).toBe(2 + 122);
    expect(decodeClose(new Uint8Array([0x0f, 0xa1, 0x6f, 0x6b]))).toEqual({ code: 4001, reason: 'ok' });
    expect(decodeClose(new Uint8Array(0))).toEqual({ code: null, reason: '' });
  });
});

describe('WebSocket over an upgraded stream', () => {
  it('carry whole messages both ways, split over a small window, then closes with code and reason', async () => {
    const p = pair(1000);
    const gatewayEnd = p.gateway.open({ ...request(), upgrade: true, hasBody: true });
    await until(() => p.accepted.length === 1, 'accepted');
    const clientEnd = p.accepted[0]!;
    clientEnd.respond({ status: 101, headers: [['sec-websocket-protocol', 'chat']] });
    expect((await gatewayEnd.head()).status).toBe(101);
    const s = new UpgradedStream(gatewayEnd);
    const c = new UpgradedStream(clientEnd);

    const big = filled(5000, 7); // Five times the window: many frames, one message.
    const sending = Promise.all([
      s.send(new TextEncoder().encode('héllo'), true),
      s.send(big, false),
      s.send(new Uint8Array(0), false),
      s.close(4001, 'bye now'),
    ]);
    expect(await c.next()).toEqual({ type: 'message', data: new TextEncoder().encode('héllo'), text: true });
    expect(await c.next()).toEqual({ type: 'message', data: big, text: false });
    expect(await c.next()).toEqual({ type: 'message', data: new Uint8Array(0), text: false });
    expect(await c.next()).toEqual({ type: 'close', code: 4001, reason: 'bye now' });
    await sending;
    const fragments = p.sentByGateway.filter((f) => f.type === 'DATA' && f.more);
    expect(fragments.length).toBeGreaterThanOrEqual(5);

    await c.send(new TextEncoder().encode('reply'), true);
    await c.close(null, '');
    expect(await s.next()).toMatchObject({ type: 'message', text: true });
    expect(await s.next()).toEqual({ type: 'close', code: null, reason: '' });
    expect(await gatewayEnd.done()).toBeNull();
    expect(await clientEnd.done()).toBeNull();
    expect(p.gateway.stats().open).toBe(0);
    expect(p.client.stats().open).toBe(0);
  });

  it('a message over the size limit resets the stream', async () => {
    const p = pair();
    const gatewayEnd = p.gateway.open({ ...request(), upgrade: true, hasBody: true });
    await until(() => p.accepted.length === 1, 'accepted');
    const c = new UpgradedStream(p.accepted[0]!, { maxMessage: 100_000 });
    void new UpgradedStream(gatewayEnd).send(filled(200_000, 1), false).catch(() => {});
    await expect(c.next()).rejects.toThrow(/over 100000 bytes/);
    const error = await gatewayEnd.done();
    expect(error?.code).toBe(ResetCode.PROTOCOL_ERROR);
  });

  it('rejects malformed close and fragment flags at decode', () => {
    const frame = (flags: number, payload: number[] = []) => new Uint8Array([6, 0, 0, 0, 1, flags, ...payload]);
    const client = new Mux({ role: 'client', send: () => {} });
    expect(() => client.receive(frame(8))).toThrow(ProtocolError); // close without end
    expect(() => client.receive(frame(2 | 8, [3]))).toThrow(ProtocolError); // one-byte close payload
    expect(() => client.receive(frame(2 | 4))).toThrow(ProtocolError); // more and end
    expect(() => client.receive(frame(16))).toThrow(ProtocolError); // unknown bit
  });
});
