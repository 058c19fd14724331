/** OPEN's `tcp` (v9, docs/tcp-forwarding.md) and the owner's forward messages (protocol/forward.ts). */
import { describe, expect, it } from 'vitest';
import { decode, encode, parseWindow, ProtocolError, windowMessage } from '../../protocol';

const open = (extra: Record<string, unknown>) => ({
  port: 5432,
  method: 'CONNECT',
  path: '/',
  headers: [],
  host: 'porthole.localhost',
  hasBody: true,
  upgrade: false,
  viewer: { kind: 'owner' },
  ...extra,
});

const roundTrip = (body: Record<string, unknown>) => decode(encode({ type: 'OPEN', stream: 1, body: body as never }));

describe('OPEN tcp', () => {
  it('crosses as true, and is absent when false or not given', () => {
    expect(roundTrip(open({ tcp: true }))).toMatchObject({ body: { tcp: true } });
    expect((roundTrip(open({ tcp: false })) as { body: object }).body).not.toHaveProperty('tcp');
    expect((roundTrip(open({})) as { body: object }).body).not.toHaveProperty('tcp');
  });

  it.each([
    ['a string', { tcp: 'yes' }, /tcp/],
    ['with upgrade', { tcp: true, upgrade: true }, /tcp and upgrade/],
    ['on the request-log port', { tcp: true, port: 0 }, /tcp needs a port/],
  ])('is a protocol error %s', (_what, extra, message) => {
    expect(() => roundTrip(open(extra))).toThrow(ProtocolError);
    expect(() => roundTrip(open(extra))).toThrow(message);
  });
});

describe('forward window messages', () => {
  it('parse only `window <1..10 digits>`', () => {
    expect(parseWindow(windowMessage(65536))).toBe(65536);
    for (const text of [
      'window 0',
      'window -1',
      'window 01',
      'window 12345678901',
      'window  5',
      'Window 5',
      'window 5 ',
    ]) {
      expect(parseWindow(text), text).toBeNull();
    }
  });
});
