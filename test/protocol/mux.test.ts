/** The multiplexer: its stream table, ids, the stream limit, and faults that break the connection. */
import { describe, expect, it } from 'vitest';
import { type ControlFrame, encode, FrameCode, Mux, ProtocolError, ResetCode, StreamLimitError } from '../../protocol';
import { filled, pair, readAll, request, until } from './pair';

describe('multiplexer', () => {
  it('interleaves many streams without mixing their bytes', async () => {
    const p = pair();
    const streams = Array.from({ length: 20 }, () => p.gateway.open(request()));
    for (const s of streams) await s.end();
    await until(() => p.accepted.length === 20, 'all accepted');
    // Each client stream writes 300 KiB in 10 KiB pieces, all at once: frames interleave.
    await Promise.all(
      p.accepted
        .map(async (c, i) => {
          c.respond({ status: 200, headers: [] });
          const body = filled(300 * 1024, i);
          for (let o = 0; o < body.length; o += 10 * 1024) await c.write(body.subarray(o, o + 10 * 1024));
          await c.end();
        })
        .concat(
          streams.map(async (s, i) => {
            await s.head();
            expect(Buffer.from(await readAll(s)).equals(filled(300 * 1024, i))).toBe(true);
          }),
        ),
    );
    const dataStreams = p.sentByClient.filter((f) => f.type === 'DATA').map((f) => f.stream);
    const switches = dataStreams.filter((id, i) => i > 0 && id !== dataStreams[i - 1]).length;
    expect(switches).toBeGreaterThan(20);
    expect(p.gateway.stats().open).toBe(0);
  });

  it('answers DATA for an unknown stream with RESET and counts it', async () => {
    const p = pair();
    p.gateway.receive(encode({ type: 'DATA', stream: 99, data: new Uint8Array(3) }));
    const reset = p.sentByGateway.at(-1);
    expect(reset).toMatchObject({ type: 'RESET', stream: 99, code: ResetCode.STREAM_CLOSED });
    expect(p.gateway.stats()).toMatchObject({ open: 0, streamErrors: 1 });
    // A RESET for an unknown stream is never answered (no reset loops).
    p.gateway.receive(encode({ type: 'RESET', stream: 98, code: 1, reason: '' }));
    expect(p.sentByGateway.at(-1)).toBe(reset);
  });

  it('drops late frames for a stream it just reset', async () => {
    const p = pair();
    const s = p.gateway.open(request());
    s.reset(ResetCode.CANCEL, 'gone');
    const before = p.sentByGateway.length;
    p.gateway.receive(encode({ type: 'DATA', stream: s.id, data: new Uint8Array(3) }));
    expect(p.sentByGateway.length).toBe(before);
    expect(p.gateway.stats().streamErrors).toBe(0);
  });

  it('throws connection-level ProtocolError for broken frames and direction violations', () => {
    const p = pair();
    expect(() => p.gateway.receive(new Uint8Array([6, 0, 0]))).toThrow(ProtocolError);
    expect(() => p.gateway.receive(new Uint8Array([42, 0, 0, 0, 1]))).toThrow(/unknown frame type 42/);
    // Only the gateway opens streams.
    expect(() => p.gateway.receive(encode({ type: 'OPEN', stream: 5, body: request() }))).toThrow(
      /client may not open/,
    );
    // PORT_SNAPSHOT (WELCOME) is never sent to the gateway, HELLO never to the client.
    expect(() =>
      p.gateway.receive(encode({ type: 'PORT_SNAPSHOT', stream: 0, body: { session: 's', ports: [] } })),
    ).toThrow(/not sent to the gateway/);
    expect(() => p.client.receive(encode({ type: 'HELLO', stream: 0, body: { ports: [] } }))).toThrow(
      /not sent to the client/,
    );
    // EXPOSE and UNEXPOSE go gateway → client only: a client sending them breaks the protocol.
    expect(() => p.gateway.receive(encode({ type: 'EXPOSE', stream: 0, body: { port: 22 } }))).toThrow(
      /EXPOSE is not sent to the gateway/,
    );
    expect(() => p.gateway.receive(encode({ type: 'UNEXPOSE', stream: 0, body: { port: 22 } }))).toThrow(
      /UNEXPOSE is not sent to the gateway/,
    );
    expect(p.gateway.stats().open).toBe(0);
  });

  it('passes EXPOSE and UNEXPOSE to the client as control frames', () => {
    const received: ControlFrame[] = [];
    const client = new Mux({ role: 'client', send: () => {}, onControl: (frame) => received.push(frame) });
    client.receive(encode({ type: 'EXPOSE', stream: 0, body: { port: 40123, label: 'Fixture' } }));
    client.receive(encode({ type: 'UNEXPOSE', stream: 0, body: { port: 40123 } }));
    expect(received).toEqual([
      { type: 'EXPOSE', stream: 0, body: { port: 40123, label: 'Fixture' } },
      { type: 'UNEXPOSE', stream: 0, body: { port: 40123 } },
    ]);
  });

  it('refuses an OPEN for a stream that is already open', async () => {
    const p = pair();
    const s = p.gateway.open(request());
    await until(() => p.accepted.length === 1, 'accepted');
    expect(() => p.client.receive(encode({ type: 'OPEN', stream: s.id, body: request() }))).toThrow(/already open/);
  });

  it('fails every stream with TUNNEL_CLOSED when the transport closes', async () => {
    const p = pair();
    const streams = [p.gateway.open(request()), p.gateway.open(request())];
    p.gateway.close('tunnel dropped');
    for (const s of streams) {
      const error = await s.done();
      expect(error?.code).toBe(ResetCode.TUNNEL_CLOSED);
      await expect(s.head()).rejects.toThrow(/tunnel dropped/);
    }
    expect(() => p.gateway.open(request())).toThrow(/tunnel dropped/);
    expect(p.gateway.stats().open).toBe(0);
  });

  it('gateway stream ids skip 0 and ids in use when they wrap', () => {
    const sent: number[] = [];
    const mux = new Mux({
      role: 'gateway',
      firstStreamId: 0xffffffff,
      send: (b) => sent.push(new DataView(b.buffer).getUint32(1)),
    });
    const a = mux.open(request());
    const b = mux.open(request());
    expect([a.id, b.id]).toEqual([0xffffffff, 1]);
    expect(sent).toEqual([0xffffffff, 1]);
  });

  describe('stream limit (maxStreams)', () => {
    it('open() at the limit throws StreamLimitError, sends nothing, and succeeds again once a stream ends', async () => {
      const sent: number[] = [];
      const limited = new Mux({ role: 'gateway', maxStreams: 2, send: (bytes) => sent.push(bytes[0]!) });
      const first = limited.open(request());
      limited.open(request());
      let error: unknown;
      try {
        limited.open(request());
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(StreamLimitError);
      expect(error).toMatchObject({ code: 'too_many_streams', limit: 2 });
      expect(limited.stats()).toMatchObject({ open: 2, opened: 2 });
      expect(sent).toEqual([FrameCode.OPEN, FrameCode.OPEN]);
      first.reset(ResetCode.CANCEL, 'done');
      expect(limited.open(request()).state).toBe('open');
    });

    it('has no limit by default', () => {
      const mux = new Mux({ role: 'gateway', send: () => {} });
      for (let i = 0; i < 5000; i++) mux.open(request());
      expect(mux.stats().open).toBe(5000);
    });

    it('refuses a limit below 1', () => {
      for (const maxStreams of [0, -1, Number.NaN]) {
        expect(() => new Mux({ role: 'gateway', maxStreams, send: () => {} })).toThrow(RangeError);
      }
    });
  });
});
