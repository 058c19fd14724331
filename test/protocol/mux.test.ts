import { describe, expect, it } from 'vitest';
import { encode, Mux, ProtocolError, ResetCode, StreamResetError } from '../../protocol';
import { pair, readAll, request, until } from './pair';

function filled(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) & 0xff;
  return out;
}

describe('multiplexer', () => {
  it('carries a request and a response, END both ways, and forgets the stream', async () => {
    const p = pair();
    const s = p.gateway.open({ ...request(), method: 'POST', body: true });
    await s.write(new TextEncoder().encode('ping'));
    await s.end();
    await until(() => p.accepted.length === 1, 'stream accepted');
    const c = p.accepted[0]!;
    expect(c.request?.method).toBe('POST');
    expect(new TextDecoder().decode(await readAll(c))).toBe('ping');
    c.respond({ status: 200, headers: [['content-type', 'text/plain']] });
    await c.write(new TextEncoder().encode('pong'));
    await c.end();
    expect((await s.head()).status).toBe(200);
    expect(new TextDecoder().decode(await readAll(s))).toBe('pong');
    expect(await s.done()).toBeNull();
    expect(await c.done()).toBeNull();
    expect(s.state).toBe('closed');
    expect(p.gateway.stats().open).toBe(0);
    expect(p.client.stats().open).toBe(0);
  });

  it('an OPEN without a body is also the gateway END: no END frame, the client reads null', async () => {
    const p = pair();
    const s = p.gateway.open({ ...request(), method: 'GET', body: false });
    expect(s.state).toBe('local-closed');
    await until(() => p.accepted.length === 1, 'accepted');
    const c = p.accepted[0]!;
    expect(c.state).toBe('remote-closed');
    expect(await c.read()).toBeNull();
    await expect(s.end()).rejects.toThrow(/already ended/);
    c.respond({ status: 200, headers: [] });
    await c.end();
    expect(await s.done()).toBeNull();
    expect(p.sentByGateway.map((f) => f.type)).toEqual(['OPEN']);
    expect(p.gateway.stats().open).toBe(0);
    expect(p.client.stats().open).toBe(0);
  });

  it('a RESPONSE with a final body delivers head, body and END in one frame, within the window', async () => {
    const p = pair();
    const s = p.gateway.open({ ...request(), method: 'GET', body: false });
    await until(() => p.accepted.length === 1, 'accepted');
    const c = p.accepted[0]!;
    c.respond({ status: 200, headers: [] }, new TextEncoder().encode('small'));
    expect(c.state).toBe('closed');
    expect(c.sendWindow).toBe(256 * 1024 - 5);
    expect((await s.head()).status).toBe(200);
    expect(new TextDecoder().decode(await readAll(s))).toBe('small');
    expect(await s.done()).toBeNull();
    expect(p.sentByClient.map((f) => f.type)).toEqual(['RESPONSE']);
    expect(() => p.accepted[0]!.respond({ status: 200, headers: [] })).toThrow(/already ended/);
  });

  it('refuses a final body larger than the window', async () => {
    const p = pair(1024);
    p.gateway.open(request());
    await until(() => p.accepted.length === 1, 'accepted');
    expect(() => p.accepted[0]!.respond({ status: 200, headers: [] }, new Uint8Array(2048))).toThrow(RangeError);
  });

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

  it('stops at an exhausted window and resumes when the reader returns credit', async () => {
    const p = pair(64 * 1024);
    const s = p.gateway.open(request());
    await s.end();
    await until(() => p.accepted.length === 1, 'accepted');
    const c = p.accepted[0]!;
    c.respond({ status: 200, headers: [] });
    let written = false;
    const body = filled(200 * 1024, 1);
    const writing = c.write(body).then(() => {
      written = true;
    });
    const sentBytes = () => p.sentByClient.reduce((n, f) => n + (f.type === 'DATA' ? f.data.length : 0), 0);
    await until(() => c.sendWindow === 0, 'window exhausted');
    // Nobody reads: the writer stays blocked at exactly one window.
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    expect(written).toBe(false);
    expect(sentBytes()).toBe(64 * 1024);
    expect(s.recvWindow).toBe(0);
    // Reading returns credit and the writer finishes.
    await s.head();
    const reading = readAll(s);
    await writing;
    await c.end();
    expect(Buffer.from(await reading).equals(body)).toBe(true);
    expect(p.sentByGateway.some((f) => f.type === 'WINDOW')).toBe(true);
  });

  it('resets a stream whose peer sends beyond the window', async () => {
    const p = pair(1024);
    const s = p.gateway.open(request());
    await until(() => p.accepted.length === 1, 'accepted');
    // A broken peer: DATA past the granted window, straight onto the wire.
    p.gateway.receive(encode({ type: 'DATA', stream: s.id, data: new Uint8Array(2048), text: false }));
    const error = await s.done();
    expect(error).toBeInstanceOf(StreamResetError);
    expect(error?.code).toBe(ResetCode.FLOW_CONTROL);
    await until(() => p.client.stats().open === 0, 'client stream reset');
    expect(p.gateway.stats().open).toBe(0);
  });

  for (const when of ['open', 'local-closed', 'remote-closed'] as const) {
    for (const who of ['gateway', 'client'] as const) {
      it(`reset by the ${who} in state ${when} fails both ends and leaks nothing`, async () => {
        const p = pair();
        const s = p.gateway.open(request());
        await until(() => p.accepted.length === 1, 'accepted');
        const c = p.accepted[0]!;
        if (when === 'local-closed') {
          await s.end();
          await until(() => c.state === 'remote-closed', 'END delivered');
        }
        if (when === 'remote-closed') {
          await c.end();
          await until(() => s.state === 'remote-closed', 'END delivered');
        }
        expect(s.state).toBe(when);
        const reader = s.read().catch((e: unknown) => e);
        (who === 'gateway' ? s : c).reset(ResetCode.CANCEL, 'viewer left');
        await until(() => s.state === 'reset' && c.state === 'reset', 'both reset');
        const err = (await (who === 'gateway' ? c : s).done()) as StreamResetError;
        expect(err.code).toBe(ResetCode.CANCEL);
        expect(err.remote).toBe(true);
        if (when !== 'remote-closed') expect(await reader).toBeInstanceOf(StreamResetError);
        await expect(s.write(new Uint8Array(1))).rejects.toBeInstanceOf(StreamResetError);
        expect(p.gateway.stats().open).toBe(0);
        expect(p.client.stats().open).toBe(0);
      });
    }
  }

  it('a reset in state closed is a no-op', async () => {
    const p = pair();
    const s = p.gateway.open(request());
    await s.end();
    await until(() => p.accepted.length === 1, 'accepted');
    const c = p.accepted[0]!;
    c.respond({ status: 204, headers: [] });
    await c.end();
    await until(() => s.state === 'closed', 'closed');
    const frames = p.sentByGateway.length;
    s.reset(ResetCode.CANCEL, 'late');
    expect(s.state).toBe('closed');
    expect(p.sentByGateway.length).toBe(frames);
  });

  it('answers DATA for an unknown stream with RESET and counts it', async () => {
    const p = pair();
    p.gateway.receive(encode({ type: 'DATA', stream: 99, data: new Uint8Array(3), text: false }));
    const reset = p.sentByGateway.at(-1);
    expect(reset).toMatchObject({ type: 'RESET', stream: 99, code: ResetCode.STREAM_CLOSED });
    expect(p.gateway.stats()).toMatchObject({ open: 0, streamErrors: 1 });
    // A RESET for an unknown stream is never answered (no reset loops).
    p.gateway.receive(encode({ type: 'RESET', stream: 98, code: 1, message: '' }));
    expect(p.sentByGateway.at(-1)).toBe(reset);
  });

  it('drops late frames for a stream it just reset', async () => {
    const p = pair();
    const s = p.gateway.open(request());
    s.reset(ResetCode.CANCEL, 'gone');
    const before = p.sentByGateway.length;
    p.gateway.receive(encode({ type: 'DATA', stream: s.id, data: new Uint8Array(3), text: false }));
    expect(p.sentByGateway.length).toBe(before);
    expect(p.gateway.stats().streamErrors).toBe(0);
  });

  it('treats DATA after END and a second RESPONSE as stream protocol errors', async () => {
    const p = pair();
    const s = p.gateway.open(request());
    await until(() => p.accepted.length === 1, 'accepted');
    p.gateway.receive(encode({ type: 'END', stream: s.id }));
    p.gateway.receive(encode({ type: 'DATA', stream: s.id, data: new Uint8Array(1), text: false }));
    expect((await s.done())?.code).toBe(ResetCode.PROTOCOL_ERROR);
    const t = p.gateway.open(request());
    p.gateway.receive(encode({ type: 'RESPONSE', stream: t.id, body: { status: 200, headers: [] } }));
    p.gateway.receive(encode({ type: 'RESPONSE', stream: t.id, body: { status: 200, headers: [] } }));
    expect((await t.done())?.message).toMatch(/unexpected RESPONSE/);
    expect(p.gateway.stats()).toMatchObject({ open: 0, streamErrors: 2 });
  });

  it('throws connection-level ProtocolError for broken frames and direction violations', () => {
    const p = pair();
    expect(() => p.gateway.receive(new Uint8Array([6, 0, 0]))).toThrow(ProtocolError);
    expect(() => p.gateway.receive(new Uint8Array([42, 0, 0, 0, 1]))).toThrow(/unknown frame type 42/);
    // Only the gateway opens streams.
    expect(() => p.gateway.receive(encode({ type: 'OPEN', stream: 5, body: request() }))).toThrow(
      /client may not open/,
    );
    // WELCOME is never sent to the gateway, HELLO never to the client.
    expect(() =>
      p.gateway.receive(encode({ type: 'WELCOME', stream: 0, body: { version: 1, session: 's', ports: [] } })),
    ).toThrow(/not sent to the gateway/);
    expect(() =>
      p.client.receive(encode({ type: 'HELLO', stream: 0, body: { version: 1, client: 'c', ports: [] } })),
    ).toThrow(/not sent to the client/);
    expect(p.gateway.stats().open).toBe(0);
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

  describe('upgraded (WebSocket) streams', () => {
    it('carry whole messages both ways, split over a small window, then closes with code and reason', async () => {
      const p = pair(1000);
      const s = p.gateway.open({ ...request(), upgrade: true, body: true });
      await until(() => p.accepted.length === 1, 'accepted');
      const c = p.accepted[0]!;
      c.respond({ status: 101, headers: [['sec-websocket-protocol', 'chat']] });
      expect((await s.head()).status).toBe(101);

      const big = filled(5000, 7); // Five times the window: many frames, one message.
      const sending = Promise.all([
        s.sendWs(new TextEncoder().encode('héllo'), true),
        s.sendWs(big, false),
        s.sendWs(new Uint8Array(0), false),
        s.sendWsClose(4001, 'bye now'),
      ]);
      expect(await c.readWs(1 << 20)).toEqual({ type: 'message', data: new TextEncoder().encode('héllo'), text: true });
      expect(await c.readWs(1 << 20)).toEqual({ type: 'message', data: big, text: false });
      expect(await c.readWs(1 << 20)).toEqual({ type: 'message', data: new Uint8Array(0), text: false });
      expect(await c.readWs(1 << 20)).toEqual({ type: 'close', code: 4001, reason: 'bye now' });
      await sending;
      const fragments = p.sentByGateway.filter((f) => f.type === 'DATA' && f.more);
      expect(fragments.length).toBeGreaterThanOrEqual(5);

      await c.sendWs(new TextEncoder().encode('reply'), true);
      await c.sendWsClose(null, '');
      expect(await s.readWs(1 << 20)).toMatchObject({ type: 'message', text: true });
      expect(await s.readWs(1 << 20)).toEqual({ type: 'close', code: null, reason: '' });
      expect(await s.done()).toBeNull();
      expect(await c.done()).toBeNull();
      expect(p.gateway.stats().open).toBe(0);
      expect(p.client.stats().open).toBe(0);
    });

    it('a message over the size limit resets the stream', async () => {
      const p = pair();
      const s = p.gateway.open({ ...request(), upgrade: true, body: true });
      await until(() => p.accepted.length === 1, 'accepted');
      const c = p.accepted[0]!;
      void s.sendWs(filled(200_000, 1), false).catch(() => {});
      await expect(c.readWs(100_000)).rejects.toThrow(/over 100000 bytes/);
      const error = await s.done();
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
});
