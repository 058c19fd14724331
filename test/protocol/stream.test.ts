/** One stream between two multiplexers: its states, the response head, flow control and resets. */
import { describe, expect, it } from 'vitest';
import {
  afterEndReceived,
  afterEndSent,
  encode,
  ReceiveWindow,
  ResetCode,
  SendWindow,
  StreamResetError,
  StreamState,
} from '../../protocol';
import { filled, pair, readAll, request, until } from './pair';

describe('stream state (pure transitions)', () => {
  it('ending our side, then the peer, closes; the other order too', () => {
    expect(afterEndSent(StreamState.Open)).toBe('local-closed');
    expect(afterEndReceived(StreamState.LocalClosed)).toBe('closed');
    expect(afterEndReceived(StreamState.Open)).toBe('remote-closed');
    expect(afterEndSent(StreamState.RemoteClosed)).toBe('closed');
  });

  it('a second END from the peer is refused, and we cannot end twice', () => {
    expect(afterEndReceived(StreamState.RemoteClosed)).toBeNull();
    expect(afterEndReceived(StreamState.Closed)).toBeNull();
    expect(afterEndReceived(StreamState.Reset)).toBeNull();
    expect(() => afterEndSent(StreamState.LocalClosed)).toThrow(RangeError);
    expect(() => afterEndSent(StreamState.Reset)).toThrow(RangeError);
  });
});

describe('flow control windows (pure accounting)', () => {
  it('a receive window refuses bytes beyond it and returns credit in quarter-window steps', () => {
    const window = new ReceiveWindow(1000);
    expect(window.receive(1001)).toBe(false);
    expect(window.available).toBe(1000);
    expect(window.receive(600)).toBe(true);
    expect(window.available).toBe(400);
    expect(window.consume(249)).toBe(0);
    expect(window.consume(1)).toBe(250);
    expect(window.available).toBe(650);
  });

  it('a send window refuses a grant past 2^31-1 and wakes a waiting sender on credit', async () => {
    const window = new SendWindow(10);
    window.spend(10);
    expect(() => window.spend(1)).toThrow(RangeError);
    const woken = window.waitForCredit();
    expect(window.grant(5)).toBe(true);
    await woken;
    expect(window.available).toBe(5);
    expect(window.grant(2 ** 31 - 1)).toBe(false);
    expect(window.available).toBe(5);
  });
});

describe('stream', () => {
  it('carries a request and a response, END both ways, and forgets the stream', async () => {
    const p = pair();
    const s = p.gateway.open({ ...request(), method: 'POST', hasBody: true });
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
    const s = p.gateway.open({ ...request(), method: 'GET', hasBody: false });
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
    const s = p.gateway.open({ ...request(), method: 'GET', hasBody: false });
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
    p.gateway.receive(encode({ type: 'DATA', stream: s.id, data: new Uint8Array(2048) }));
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

  it('treats DATA after END and a second RESPONSE as stream protocol errors', async () => {
    const p = pair();
    const s = p.gateway.open(request());
    await until(() => p.accepted.length === 1, 'accepted');
    p.gateway.receive(encode({ type: 'END', stream: s.id }));
    p.gateway.receive(encode({ type: 'DATA', stream: s.id, data: new Uint8Array(1) }));
    expect((await s.done())?.code).toBe(ResetCode.PROTOCOL_ERROR);
    const t = p.gateway.open(request());
    p.gateway.receive(encode({ type: 'RESPONSE', stream: t.id, body: { status: 200, headers: [] } }));
    p.gateway.receive(encode({ type: 'RESPONSE', stream: t.id, body: { status: 200, headers: [] } }));
    expect((await t.done())?.message).toMatch(/unexpected RESPONSE/);
    expect(p.gateway.stats()).toMatchObject({ open: 0, streamErrors: 2 });
  });
});
