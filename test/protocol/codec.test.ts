import { describe, expect, it } from 'vitest';
import { decode, encode, type Frame, FrameCode, MAX_DATA, ProtocolError } from '../../protocol';

function roundTrip(frame: Frame): Frame {
  return decode(encode(frame));
}

function bytes(...values: number[]): Uint8Array {
  return Uint8Array.from(values);
}

function expectProtocolError(message: Uint8Array, code: ProtocolError['code'], text: RegExp): void {
  let caught: unknown;
  try {
    decode(message);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ProtocolError);
  expect((caught as ProtocolError).code).toBe(code);
  expect((caught as ProtocolError).message).toMatch(text);
}

describe('codec', () => {
  it('round-trips every frame type', () => {
    const frames: Frame[] = [
      { type: 'HELLO', stream: 0, body: { ports: [{ port: 3000, process: 'node' }] } },
      {
        type: 'PORT_SNAPSHOT',
        stream: 0,
        body: {
          session: 's',
          ports: [
            { port: 3000, url: 'http://x', process: 'node', visibility: 'public', firstSeen: '2026-01-01T00:00:00Z' },
          ],
        },
      },
      { type: 'PORTS', stream: 0, body: { opened: [{ port: 8000 }], closed: [3000] } },
      {
        type: 'OPEN',
        stream: 7,
        body: {
          port: 3000,
          method: 'POST',
          path: '/a?b=c',
          headers: [
            ['set-cookie', 'a=1'],
            ['set-cookie', 'b=2'],
          ],
          host: 'h',
          hasBody: true,
          upgrade: false,
          viewer: { kind: 'link', link: 'abcdefgh23456' },
        },
      },
      { type: 'RESPONSE', stream: 7, body: { status: 201, headers: [['x', 'y']] } },
      { type: 'RESPONSE', stream: 7, body: { status: 200, headers: [] }, final: bytes(0, 1, 0, 2) },
      { type: 'RESPONSE', stream: 7, body: { status: 204, headers: [] }, final: bytes() },
      { type: 'DATA', stream: 0xffffffff, data: bytes(1, 2, 3) },
      { type: 'DATA', stream: 9, data: new TextEncoder().encode('hi'), end: true },
      { type: 'END', stream: 7 },
      { type: 'RESET', stream: 7, code: 3, reason: 'origin closed' },
      { type: 'WINDOW', stream: 7, credit: 65536 },
      { type: 'EXPOSE', stream: 0, body: { port: 40123, label: 'Test fixture', visibility: 'link' } },
      { type: 'EXPOSE', stream: 0, body: { port: 22 } },
      { type: 'UNEXPOSE', stream: 0, body: { port: 3000 } },
    ];
    for (const frame of frames) expect(roundTrip(frame)).toEqual(frame);
  });

  it('carries port labels in HELLO, PORTS and WELCOME (v6), and sends EXPOSE / UNEXPOSE as frames 10 and 11', () => {
    const hello: Frame = { type: 'HELLO', stream: 0, body: { ports: [{ port: 3000, label: 'Web app — ünïcode ✓' }] } };
    expect(roundTrip(hello)).toEqual(hello);
    const ports: Frame = { type: 'PORTS', stream: 0, body: { opened: [{ port: 8000, label: 'x' }], closed: [] } };
    expect(roundTrip(ports)).toEqual(ports);
    const entry = {
      port: 3000,
      url: 'http://x',
      visibility: 'private' as const,
      firstSeen: 'now',
      label: 'l'.repeat(64),
    };
    const welcome: Frame = { type: 'PORT_SNAPSHOT', stream: 0, body: { session: 's', ports: [entry] } };
    expect(roundTrip(welcome)).toEqual(welcome);
    expect(encode({ type: 'EXPOSE', stream: 0, body: { port: 1 } })[0]).toBe(10);
    expect(encode({ type: 'UNEXPOSE', stream: 0, body: { port: 1 } })[0]).toBe(11);
  });

  it('refuses bad labels and bad EXPOSE / UNEXPOSE bodies as malformed fields', () => {
    const json = (code: number, body: unknown) =>
      new Uint8Array([code, 0, 0, 0, 0, ...new TextEncoder().encode(JSON.stringify(body))]);
    for (const label of ['', 'l'.repeat(65), 'a\nb', 'tab\there', '\u0085', 7, null]) {
      expectProtocolError(json(FrameCode.HELLO, { ports: [{ port: 3000, label }] }), 'BAD_PAYLOAD', /label/);
      expectProtocolError(
        json(FrameCode.PORTS, { opened: [{ port: 3000, label }], closed: [] }),
        'BAD_PAYLOAD',
        /label/,
      );
      expectProtocolError(json(FrameCode.EXPOSE, { port: 3000, label }), 'BAD_PAYLOAD', /label/);
    }
    expectProtocolError(json(FrameCode.EXPOSE, { port: 0 }), 'BAD_PAYLOAD', /port/);
    expectProtocolError(json(FrameCode.EXPOSE, { port: 80, visibility: 'everyone' }), 'BAD_PAYLOAD', /visibility/);
    expectProtocolError(json(FrameCode.UNEXPOSE, { port: 65536 }), 'BAD_PAYLOAD', /port/);
    expectProtocolError(json(FrameCode.UNEXPOSE, [3000]), 'BAD_PAYLOAD', /object/);
    // Control frames: on stream 0 only.
    const off = json(FrameCode.EXPOSE, { port: 3000 });
    off[4] = 1;
    expectProtocolError(off, 'BAD_STREAM', /EXPOSE frame on stream 1/);
  });

  it('lays out the header as type:u8 | stream:u32 big-endian', () => {
    const wire = encode({ type: 'END', stream: 0x01020304 });
    expect([...wire]).toEqual([FrameCode.END, 1, 2, 3, 4]);
  });

  it('sends a port snapshot as wire frame 2 (WELCOME) and reads frame 2 back as one', () => {
    const wire = encode({ type: 'PORT_SNAPSHOT', stream: 0, body: { session: 's', ports: [] } });
    expect(wire[0]).toBe(2);
    const json = new TextEncoder().encode('{"session":"s","ports":[]}');
    expect(decode(new Uint8Array([2, 0, 0, 0, 0, ...json]))).toEqual({
      type: 'PORT_SNAPSHOT',
      stream: 0,
      body: { session: 's', ports: [] },
    });
  });

  it('refuses DATA over 64 KiB on both ends', () => {
    const big = new Uint8Array(MAX_DATA + 1);
    expect(() => encode({ type: 'DATA', stream: 1, data: big })).toThrow(ProtocolError);
    const wire = new Uint8Array(5 + 1 + MAX_DATA + 1);
    wire[0] = FrameCode.DATA;
    wire[4] = 1;
    expectProtocolError(wire, 'TOO_LARGE', /DATA over/);
  });

  it('rejects a truncated header', () => {
    expectProtocolError(bytes(FrameCode.DATA, 0, 0), 'TRUNCATED', /shorter than its 5-byte header/);
    expectProtocolError(new Uint8Array(0), 'TRUNCATED', /0 bytes/);
  });

  it('rejects truncated payloads', () => {
    expectProtocolError(bytes(FrameCode.DATA, 0, 0, 0, 1), 'TRUNCATED', /flags byte/);
    expectProtocolError(bytes(FrameCode.RESET, 0, 0, 0, 1, 0), 'TRUNCATED', /reason code/);
    expectProtocolError(bytes(FrameCode.WINDOW, 0, 0, 0, 1, 0, 0), 'BAD_PAYLOAD', /must be 4 bytes/);
    expectProtocolError(bytes(FrameCode.END, 0, 0, 0, 1, 9), 'BAD_PAYLOAD', /must be 0 bytes/);
  });

  it('rejects an unknown frame type', () => {
    expectProtocolError(bytes(0, 0, 0, 0, 1), 'UNKNOWN_TYPE', /unknown frame type 0/);
    expectProtocolError(bytes(200, 0, 0, 0, 1), 'UNKNOWN_TYPE', /unknown frame type 200/);
  });

  it('rejects control frames off stream 0 and stream frames on it', () => {
    const hello = encode({ type: 'HELLO', stream: 0, body: { ports: [] } });
    hello[4] = 5;
    expectProtocolError(hello, 'BAD_STREAM', /HELLO frame on stream 5/);
    expectProtocolError(bytes(FrameCode.END, 0, 0, 0, 0), 'BAD_STREAM', /END frame on stream 0/);
  });

  it('rejects malformed JSON and wrong shapes', () => {
    const garbage = new Uint8Array([FrameCode.OPEN, 0, 0, 0, 1, ...new TextEncoder().encode('{nope')]);
    expectProtocolError(garbage, 'BAD_PAYLOAD', /not UTF-8 JSON/);
    const shape = (body: unknown) =>
      new Uint8Array([FrameCode.OPEN, 0, 0, 0, 1, ...new TextEncoder().encode(JSON.stringify(body))]);
    const good = {
      port: 1,
      method: 'GET',
      path: '/',
      headers: [],
      host: 'h',
      hasBody: false,
      upgrade: false,
      viewer: { kind: 'owner' },
    };
    expect(decode(shape(good)).type).toBe('OPEN');
    // Port 0 is the client's request log (v7); below it or past 65535 is no port.
    expect(decode(shape({ ...good, port: 0 })).type).toBe('OPEN');
    expectProtocolError(shape({ ...good, port: -1 }), 'BAD_PAYLOAD', /port must be an integer in 1..65535/);
    expectProtocolError(shape({ ...good, viewer: undefined }), 'BAD_PAYLOAD', /viewer must be an object/);
    expectProtocolError(shape({ ...good, viewer: { kind: 'admin' } }), 'BAD_PAYLOAD', /viewer.kind must be one of/);
    expectProtocolError(shape({ ...good, viewer: { kind: 'link' } }), 'BAD_PAYLOAD', /viewer.link must be a link id/);
    expectProtocolError(
      shape({ ...good, viewer: { kind: 'link', link: '<script>' } }),
      'BAD_PAYLOAD',
      /viewer.link must be a link id/,
    );
    expectProtocolError(shape({ ...good, port: 65536 }), 'BAD_PAYLOAD', /port/);
    expectProtocolError(shape({ ...good, path: 'http://evil/' }), 'BAD_PAYLOAD', /path must start/);
    expectProtocolError(shape({ ...good, headers: [['a']] }), 'BAD_PAYLOAD', /headers/);
    expectProtocolError(shape([1, 2]), 'BAD_PAYLOAD', /must be an object/);
  });

  it('splits a RESPONSE with a final body at the first NUL and bounds the body', () => {
    const wire = encode({
      type: 'RESPONSE',
      stream: 3,
      body: { status: 200, headers: [['a', 'b\u0000c']] },
      final: bytes(0),
    });
    const frame = decode(wire);
    expect(frame).toEqual({
      type: 'RESPONSE',
      stream: 3,
      body: { status: 200, headers: [['a', 'b\u0000c']] },
      final: bytes(0),
    });
    expect(() =>
      encode({ type: 'RESPONSE', stream: 3, body: { status: 200, headers: [] }, final: new Uint8Array(MAX_DATA + 1) }),
    ).toThrow(/RESPONSE body over/);
  });

  it('rejects unknown DATA flags and invalid UTF-8 in RESET', () => {
    expectProtocolError(bytes(FrameCode.DATA, 0, 0, 0, 1, 0x80), 'BAD_PAYLOAD', /unknown DATA flags/);
    // v3's WebSocket flags (TEXT 1, MORE 4, CLOSE 8): since v4 messages never cross the tunnel.
    for (const flag of [1, 4, 8, 8 | 2]) {
      expectProtocolError(bytes(FrameCode.DATA, 0, 0, 0, 1, flag), 'BAD_PAYLOAD', /unknown DATA flags/);
    }
    expectProtocolError(bytes(FrameCode.RESET, 0, 0, 0, 1, 0, 1, 0xff), 'BAD_PAYLOAD', /not UTF-8/);
  });
});
