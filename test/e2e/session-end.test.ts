/**
 * The end of a session (issue 19 item 1, docs/lifecycle.md): `DELETE /api/sessions/<id>` while a
 * viewer downloads, a WebSocket is open and a link is live, and the end at the session's expiry
 * (the object's alarm, with SESSION_MIN_TTL lowered). Each ends cleanly, the client stops with the
 * documented error, every URL, token and link of the session answers 410 `session_ended`, and
 * nothing is left in the session object's storage.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { lookup } from '../../client/net/lookup';
import { TunnelSessionEndedError } from '../../client/tunnel/errors';
import { type ApiSession, SUBPROTOCOL } from '../../protocol';
import {
  afterTest,
  createSession,
  type Harness,
  request,
  startAgent,
  startHarness,
  startOrigin,
  waitFor,
} from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ SESSION_MIN_TTL: '1' });
});
afterAll(async () => {
  await h?.stop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const json = (reply: { body: Buffer }) => JSON.parse(reply.body.toString() || '{}') as Record<string, unknown>;

/** What the session object keeps (its test-only RPC method, reached through Miniflare: no route has it). */
async function stored(session: string) {
  const ns = await h.gateway.miniflare.getDurableObjectNamespace('SESSION');
  type Stored = { keys: string[]; tables: string[]; alarm: number | null };
  const stub = ns.get(ns.idFromName(session)) as unknown as { storedKeys(): Promise<Stored> };
  return stub.storedKeys();
}

/** A WebSocket echo origin on 127.0.0.1:0; its port. */
async function echoOrigin(): Promise<number> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  afterTest(
    () =>
      new Promise<void>((resolve) => {
        for (const c of server.clients) c.terminate();
        server.close(() => resolve());
      }),
  );
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  server.on('connection', (socket) =>
    socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })),
  );
  return (server.address() as AddressInfo).port;
}

/** An origin that streams `/download` without end, and echoes WebSocket messages. */
async function streamingOrigin(): Promise<{ port: number }> {
  const origin = await startOrigin((req, res) => {
    if (req.url !== '/download') return res.end('page');
    // A known length: workerd ends an errored body of unknown length as if complete (docs/fidelity.md).
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': 1024 * 1024 * 1024 });
    const timer = setInterval(() => res.write(Buffer.alloc(1024, 1)), 20);
    res.on('close', () => clearInterval(timer));
  });
  return origin;
}

describe('DELETE /api/sessions/<id>', () => {
  it('ends a download, a WebSocket, a link and the client at once; everything of it answers 410; storage is empty', async () => {
    const origin = await streamingOrigin();
    const wsPort = await echoOrigin();
    const a = await startAgent(h, [origin.port, wsPort]);
    const url = await a.agent.url(origin.port);
    const link = await a.agent.api.createLink(origin.port);
    const owner = (await a.agent.api.ownerToken()).token;
    expect((await request(h.gateway, link.url)).status).toBe(303); // Live: it trades its token for a cookie.
    // A dashboard link and an owner login link, unused, and a dashboard cookie already had.
    const dashboardLink = (await a.agent.api.dashboardLink()).url;
    const loginLink = (await a.agent.api.loginLink(origin.port)).url;
    const dashboardCookie = (await request(h.gateway, (await a.agent.api.dashboardLink()).url)).headers[
      'set-cookie'
    ]?.map((c) => c.split(';')[0] as string);
    expect(dashboardCookie?.length).toBeGreaterThan(0);

    // A viewer downloading: the head and the first bytes have come.
    let bytes = 0;
    const bytesSeen = () => bytes;
    const download = new Promise<{ bytes: number; ended: string }>((resolve) => {
      const req = http.get(`${url}download`, { lookup: lookup as never, agent: false }, (res) => {
        res.on('data', (chunk: Buffer) => (bytes += chunk.length));
        res.on('end', () => resolve({ bytes, ended: 'end' }));
        res.on('error', () => resolve({ bytes, ended: 'error' }));
        res.on('aborted', () => resolve({ bytes, ended: 'aborted' }));
      });
      req.on('error', () => resolve({ bytes, ended: 'error' }));
    });
    // A viewer's WebSocket, open (echoed once).
    const ws = new WebSocket((await a.agent.url(wsPort)).replace(/^http/, 'ws'), { lookup });
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const echoed = new Promise((resolve) => ws.once('message', resolve));
    ws.send('hello');
    expect(String(await echoed)).toBe('hello');
    await waitFor(() => bytesSeen() > 0, 'the first bytes of the download');

    const reply = await request(h.gateway, `/api/sessions/${a.session}`, {
      method: 'DELETE',
      headers: bearer(a.token),
    });
    expect(reply.status).toBe(200);
    expect(json(reply)).toMatchObject({ session: a.session, state: 'ended' });
    expect(Date.parse(String(json(reply).endedAt))).toBeGreaterThan(0);

    // The client stops, with the documented error, and says why.
    const done = await a.agent.done();
    expect(done).toBeInstanceOf(TunnelSessionEndedError);
    expect(done?.message).toBe('the session has ended (ended with its session token)');
    const down = await a.event((e) => e.event === 'tunnel.down', 'tunnel.down');
    expect(down).toMatchObject({ retryInMs: null });

    // The download ended (cut short: the session is gone); the WebSocket closed.
    const ended = await download;
    expect(ended.ended).not.toBe('end');
    // The viewer is told why (the gateway withdrew the stream: a policy close with the reason).
    expect(await closed).toEqual({ code: 1008, reason: 'the session has ended (ended with its session token)' });

    // Every URL of it: the preview (JSON and HTML), the link, the owner API, the tunnel, the lifecycle routes.
    const gone = async (target: string, options: Parameters<typeof request>[2] = {}) => {
      const answer = await request(h.gateway, target, options);
      return { status: answer.status, code: answer.headers['x-porthole-error'] };
    };
    const ended410 = { status: 410, code: 'session_ended' };
    expect(await gone(url)).toEqual(ended410);
    const page = await request(h.gateway, url, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(410);
    expect(page.body.toString()).toContain('This session has ended.');
    expect(await gone(link.url)).toEqual(ended410);
    expect(await gone(dashboardLink)).toEqual(ended410);
    expect(await gone(loginLink)).toEqual(ended410);
    const dashboardPath = `/s/${a.session}`;
    expect(await gone(dashboardPath, { headers: { cookie: (dashboardCookie ?? []).join('; ') } })).toEqual(ended410);
    expect(await gone(`${dashboardPath}/events`, { headers: { cookie: (dashboardCookie ?? []).join('; ') } })).toEqual(
      ended410,
    );
    expect(await gone(`/api/sessions/${a.session}/status`, { headers: bearer(owner) })).toEqual(ended410);
    expect(await gone(`/api/sessions/${a.session}/links`, { headers: bearer(owner) })).toEqual(ended410);
    expect(await gone(`/api/sessions/${a.session}/owner-token`, { method: 'POST', headers: bearer(a.token) })).toEqual(
      ended410,
    );
    expect(await gone(`/api/sessions/${a.session}`, { headers: bearer(h.adminToken) })).toEqual(ended410);
    expect(await gone(`/api/sessions/${a.session}`, { method: 'DELETE', headers: bearer(h.adminToken) })).toEqual(
      ended410,
    );
    const connect = await gone('/connect', {
      headers: {
        ...bearer(a.token),
        upgrade: 'websocket',
        connection: 'upgrade',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-protocol': SUBPROTOCOL,
      },
    });
    expect(connect.status).toBe(410);

    // Writes asked for after the end are refused, and write nothing.
    const write = (method: string, path: string, body: unknown) =>
      gone(`/api/sessions/${a.session}${path}`, {
        method,
        headers: { ...bearer(owner), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(await write('POST', '/links', { port: origin.port })).toEqual(ended410);
    expect(await write('PATCH', `/ports/${origin.port}`, { visibility: 'private' })).toEqual(ended410);
    expect(await write('POST', '/signout', {})).toEqual(ended410);
    expect(
      await gone(`/api/sessions/${a.session}`, {
        method: 'PATCH',
        headers: { ...bearer(h.adminToken), 'content-type': 'application/json' },
        body: JSON.stringify({ state: 'asleep' }),
      }),
    ).toEqual(ended410);

    // Nothing is left: no key, no table of ours, no alarm.
    expect(await stored(a.session)).toEqual({ keys: [], tables: [], alarm: null });
  });
});

describe('a request in flight when the session ends', () => {
  it('answers 410 session_ended, not a withdrawn access or a lost tunnel', async () => {
    let arrived = () => {};
    const atOrigin = new Promise<void>((resolve) => (arrived = resolve));
    const origin = await startOrigin(() => arrived()); // Never answers.
    const a = await startAgent(h, [origin.port]);
    const pending = request(h.gateway, await a.agent.url(origin.port));
    await atOrigin;
    const ended = await request(h.gateway, `/api/sessions/${a.session}`, {
      method: 'DELETE',
      headers: bearer(h.adminToken),
    });
    expect(ended.status).toBe(200);
    const reply = await pending;
    expect({ status: reply.status, code: reply.headers['x-porthole-error'] }).toEqual({
      status: 410,
      code: 'session_ended',
    });
  });
});

describe('GET and PATCH /api/sessions/<id>', () => {
  it('give the state to the admin, session and owner tokens; asleep answers 503 session_asleep, awake serves again', async () => {
    const origin = await startOrigin((_req, res) => res.end('served'));
    const a = await startAgent(h, [origin.port]);
    const url = await a.agent.url(origin.port);
    const owner = (await a.agent.api.ownerToken()).token;
    for (const token of [h.adminToken, a.token, owner]) {
      const reply = await request(h.gateway, `/api/sessions/${a.session}`, { headers: bearer(token) });
      expect(reply.status).toBe(200);
      const info = json(reply) as unknown as ApiSession;
      expect(info).toMatchObject({ session: a.session, state: 'active', tunnel: 'connected', ports: 1 });
      expect(Date.parse(info.expiresAt)).toBeGreaterThan(Date.now());
    }
    const patch = (token: string, body: unknown) =>
      request(h.gateway, `/api/sessions/${a.session}`, {
        method: 'PATCH',
        headers: { ...bearer(token), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    // Only the operator marks it asleep; only the operator or the session ends it.
    expect((await patch(a.token, { state: 'asleep' })).status).toBe(401);
    expect((await patch(h.adminToken, { state: 'sleeping' })).status).toBe(400);
    const del = await request(h.gateway, `/api/sessions/${a.session}`, { method: 'DELETE', headers: bearer(owner) });
    expect(del.status).toBe(401);
    const other = await createSession(h);
    const wrong = await request(h.gateway, `/api/sessions/${a.session}`, {
      method: 'DELETE',
      headers: bearer(other.token),
    });
    expect(wrong.status).toBe(403);

    const asleep = await patch(h.adminToken, { state: 'asleep' });
    expect(asleep.status).toBe(200);
    expect(json(asleep)).toMatchObject({ state: 'asleep' });
    const refused = await request(h.gateway, url);
    expect(refused.status).toBe(503);
    expect(refused.headers['x-porthole-error']).toBe('session_asleep');
    expect(refused.headers['retry-after']).toBeDefined();
    const awake = await patch(h.adminToken, { state: 'awake' });
    expect(json(awake)).toMatchObject({ state: 'active' });
    expect((await request(h.gateway, url)).body.toString()).toBe('served');
  });
});

describe('the end at the session expiry', () => {
  it('the alarm ends it the same way: the client stops ("expired"), 410, storage empty', async () => {
    const created = await request(h.gateway, '/api/sessions', {
      method: 'POST',
      headers: { ...bearer(h.adminToken), 'content-type': 'application/json' },
      body: JSON.stringify({ ttl: 2 }),
    });
    expect(created.status).toBe(201);
    const { session, token } = json(created) as { session: string; token: string };
    const a = await startAgent(h, [], { token, session });
    const done = await a.agent.done();
    expect(done).toBeInstanceOf(TunnelSessionEndedError);
    expect(done?.message).toBe('the session has ended (expired)');
    await waitFor(async () => (await stored(session)).keys.length === 0, 'the storage to be emptied');
    expect(await stored(session)).toEqual({ keys: [], tables: [], alarm: null });
    const reply = await request(h.gateway, `/api/sessions/${session}`, { headers: bearer(h.adminToken) });
    expect(reply.status).toBe(410);
  });
});
