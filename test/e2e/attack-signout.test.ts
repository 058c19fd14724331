/**
 * ATTACK (issue 13 item 5, as merged): "sign out everywhere" ends every owner credential, but not
 * what was already opened with one. A thief holding an owner token (or cookie) opens a WebSocket or
 * a long response on a private port (a dev server's terminal, an HMR feed, an SSE log) before the
 * owner signs out everywhere; the connection stays open and keeps reading and writing the private
 * app for as long as it lasts. These tests fail until the gateway ends a session's owner-admitted
 * connections when the epoch is bumped (and when their grant's `until` passes). The same holds
 * for a reviewer's WebSocket after its share link is revoked, for the dashboard's feed after its
 * cookie expires, and for the tunnel itself after its session token expires (below). Also here:
 * a 5-minute page token mints a 12-hour dashboard login.
 */
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { lookup } from '../../client/net/lookup';
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
import { aud, mintForTest } from './tokens';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const signOut = (session: string, token: string) =>
  request(h.gateway, `/api/sessions/${session}/signout`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: '{}',
  });

describe('ATTACK: connections opened with an owner credential outlive sign out everywhere', () => {
  it('a WebSocket opened on a private port with a stolen owner token is closed by sign out everywhere', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    afterTest(() => new Promise<void>((resolve) => server.close(() => resolve())));
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const port = (server.address() as AddressInfo).port;
    const originSockets: WebSocket[] = [];
    const heard: string[] = [];
    server.on('connection', (socket) => {
      originSockets.push(socket);
      socket.on('message', (data) => heard.push(String(data)));
    });
    const a = await startAgent(h, [port], { visibility: () => 'private' });
    const url = await a.agent.url(port);
    const { token: stolen } = await a.agent.api.ownerToken();

    const thief = new WebSocket(url.replace(/^http/, 'ws'), { headers: { 'x-porthole-token': stolen }, lookup });
    afterTest(() => thief.terminate());
    const received: string[] = [];
    thief.on('message', (data) => received.push(String(data)));
    let closed: number | null = null;
    thief.on('close', (code) => (closed = code));
    await new Promise<void>((resolve, reject) => {
      thief.once('open', () => resolve());
      thief.once('error', reject);
    });
    await waitFor(() => originSockets.length === 1, 'the origin accepted the thief');

    // The owner notices and signs out everywhere, with a fresh token of their own.
    const owner = (await a.agent.api.ownerToken()).token;
    expect((await signOut(a.session, owner)).status).toBe(200);
    // A new connection with the stolen token is refused, as documented...
    const again = await request(h.gateway, url, {
      headers: { 'x-porthole-token': stolen, accept: 'application/json' },
    });
    expect(again.status).toBe(401);

    // ...but the open one still reads and writes the private app. Bounded: 20 messages, 100 ms apart.
    for (let i = 0; i < 20 && closed === null; i++) {
      thief.send(`thief ${i}`);
      originSockets[0]!.send(`secret ${i}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(
      { closed, heardAfterSignOut: heard.length, receivedAfterSignOut: received.length },
      'the thief WebSocket must be closed once the owner signs out everywhere',
    ).toMatchObject({ heardAfterSignOut: 0, receivedAfterSignOut: 0 });
    // Closed as a policy close (1008), with the reason, not left to time out.
    await waitFor(() => closed !== null, 'the thief WebSocket to close');
    expect(closed).toBe(1008);
  });

  it('a long response on a private port opened with a stolen owner token stops at sign out everywhere', async () => {
    let writes = 0;
    const ticking: NodeJS.Timeout[] = [];
    const origin = await startOrigin((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const timer = setInterval(() => res.write(`data: private log line ${writes++}\n\n`), 50);
      ticking.push(timer);
      res.on('close', () => clearInterval(timer));
    });
    afterTest(() => ticking.forEach(clearInterval));
    const a = await startAgent(h, [origin.port], { visibility: () => 'private' });
    const url = new URL(await a.agent.url(origin.port));
    const { token: stolen } = await a.agent.api.ownerToken();

    const http = await import('node:http');
    let bytesAfter = 0;
    let signedOut = false;
    let ended = false;
    const req = http.request({
      host: '127.0.0.1',
      port: h.gateway.port,
      path: '/events',
      headers: { host: url.host, 'x-porthole-token': stolen },
      agent: false,
    });
    afterTest(() => req.destroy());
    req.on('response', (res) => {
      res.on('data', (chunk: Buffer) => {
        if (signedOut) bytesAfter += chunk.length;
      });
      res.on('end', () => (ended = true));
      res.on('error', () => (ended = true));
    });
    req.on('error', () => (ended = true));
    req.end();
    await waitFor(() => writes > 3, 'the stream is flowing');

    const owner = (await a.agent.api.ownerToken()).token;
    expect((await signOut(a.session, owner)).status).toBe(200);
    signedOut = true;
    const sinceSignOut = writes;
    // Bounded: wait for 30 more log lines (1.5 s) at the origin, or for the stream to end.
    await waitFor(() => ended || writes - sinceSignOut >= 30, 'more log lines or the end of the stream', 10_000);
    expect(
      { ended, bytesAfter },
      'the stolen-token stream must end at sign out everywhere, not keep serving the private app',
    ).toMatchObject({ ended: true });
    expect(bytesAfter).toBeLessThan(200);
  });
});

describe('ATTACK: the dashboard feed outlives the cookie that opened it', () => {
  it('a feed opened with a dashboard cookie ends when the cookie (its grant) expires', async () => {
    const a = await startAgent(h, []);
    // A cookie of a session token that ends in 3 s: every credential of the grant ends then.
    const cookie = await mintForTest(h.tokenSecret, { aud: aud.cookie, sub: a.session, expiresIn: 3 });
    const http = await import('node:http');
    const feed = { text: '', ended: false };
    const req = http.request({
      host: '127.0.0.1',
      port: h.gateway.port,
      path: `/s/${a.session}/events`,
      headers: { host: new URL(h.gateway.url).host, cookie: `porthole_dashboard=${cookie}` },
      agent: false,
    });
    afterTest(() => req.destroy());
    req.on('response', (res) => {
      res.on('data', (chunk: Buffer) => (feed.text += chunk.toString()));
      res.on('end', () => (feed.ended = true));
      res.on('error', () => (feed.ended = true));
    });
    req.on('error', () => (feed.ended = true));
    req.end();
    await waitFor(() => feed.text.includes('"hello"'), 'the feed');
    const expired = async () =>
      (await request(h.gateway, `/s/${a.session}/panel`, { headers: { cookie: `porthole_dashboard=${cookie}` } }))
        .status === 401;
    await waitFor(expired, 'the cookie to expire', 10_000, 250);
    // The feed still tells whoever holds it when the session changes (and keeps the object awake).
    await a.agent.api.setVisibility(3000, 'public');
    await waitFor(() => feed.ended || feed.text.includes('"ports"'), 'the end of the feed or the next change', 5000);
    expect({ ended: feed.ended, text: feed.text }, 'the feed must end with its cookie').toMatchObject({ ended: true });
    // It says why first, so the page can say the login ended (dashboard.js).
    expect(feed.text).toContain('{"what":"expired"}');
  });
});

describe('ATTACK: a tunnel outlives the session token that opened it', () => {
  it('previews stop being served once the session token has expired', async () => {
    const origin = await startOrigin((_req, res) => res.end('still served'));
    const { session } = await createSession(h);
    const token = await mintForTest(h.tokenSecret, { aud: aud.session, sub: session, expiresIn: 3 });
    const a = await startAgent(h, [origin.port], { token, session });
    const url = await a.agent.url(origin.port);
    expect((await request(h.gateway, url)).status).toBe(200);
    // The token is refused from now on (a new tunnel or owner token cannot be had with it)…
    await waitFor(
      async () =>
        (
          await request(h.gateway, `/api/sessions/${session}/owner-token`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}` },
          })
        ).status === 401,
      'the session token to expire',
      10_000,
      250,
    );
    // …but the tunnel it opened keeps serving the session's previews, with no end.
    const reply = await request(h.gateway, url);
    expect(
      { status: reply.status, body: reply.body.toString() },
      'a tunnel must not serve past its session token',
    ).not.toEqual({ status: 200, body: 'still served' });
    // The tunnel was closed with a final code: the client says why and does not reconnect.
    const down = await a.event((e) => e.event === 'tunnel.down', 'tunnel.down');
    expect(down).toMatchObject({ retryInMs: null, reason: expect.stringContaining('session has expired') });
  });
});

describe('a tunnel ends with its session token even when nobody asks', () => {
  it('the client is told at the expiry (an alarm), without a viewer request, and stops', async () => {
    const { session } = await createSession(h);
    const token = await mintForTest(h.tokenSecret, { aud: aud.session, sub: session, expiresIn: 2 });
    const a = await startAgent(h, [], { token, session });
    const down = await a.event((e) => e.event === 'tunnel.down', 'tunnel.down at the expiry', 8000);
    expect(down).toMatchObject({ retryInMs: null, reason: expect.stringContaining('session has expired') });
  });
});

describe('ATTACK: a page token read out of a page is not "soon worthless"', () => {
  it('cannot be turned into a dashboard login that outlives it by hours', async () => {
    const a = await startAgent(h, []);
    const dashboard = await a.agent.api.dashboardLink();
    const opened = await request(h.gateway, dashboard.url, { headers: { accept: 'text/html' } });
    const cookie = String(opened.headers['set-cookie']).split(';')[0] as string;
    const page = await request(h.gateway, `/s/${a.session}`, { headers: { accept: 'text/html', cookie } });
    const pageToken = /name="porthole-token" content="([^"]+)"/.exec(page.body.toString())?.[1] ?? '';
    expect(pageToken).not.toBe('');
    // What a screenshot, a saved copy or an extension read: 5 minutes left. Traded for a new login…
    const minted = await request(h.gateway, `/api/sessions/${a.session}/dashboard`, {
      method: 'POST',
      headers: { authorization: `Bearer ${pageToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ttl: 600 }),
    });
    if (minted.status === 201) {
      const link = (JSON.parse(minted.body.toString()) as { url: string }).url;
      const stolen = await request(h.gateway, link, { headers: { accept: 'text/html' } });
      const maxAge = Number(/Max-Age=(\d+)/i.exec(String(stolen.headers['set-cookie']))?.[1] ?? 0);
      // …it is a dashboard cookie (and a session-wide sign-in for every port) for 12 hours.
      expect(maxAge, 'a page token must not mint a login that outlives it').toBeLessThanOrEqual(5 * 60);
    }
  });
});

describe('ATTACK: a WebSocket opened with a share link outlives the link', () => {
  it('is closed when the owner revokes the link it came in with', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    afterTest(() => new Promise<void>((resolve) => server.close(() => resolve())));
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const port = (server.address() as AddressInfo).port;
    const origin: WebSocket[] = [];
    server.on('connection', (socket) => origin.push(socket));
    const a = await startAgent(h, [port], { visibility: () => 'link' });
    const link = await a.agent.api.createLink(port);
    const exchanged = await request(h.gateway, link.url, { headers: { accept: 'text/html' } });
    const cookie = String(exchanged.headers['set-cookie']).split(';')[0] as string;
    const url = await a.agent.url(port);

    const reviewer = new WebSocket(url.replace(/^http/, 'ws'), { headers: { cookie }, lookup });
    afterTest(() => reviewer.terminate());
    const received: string[] = [];
    reviewer.on('message', (data) => received.push(String(data)));
    let close: { code: number; reason: string } | null = null;
    reviewer.on('close', (code, reason) => (close = { code, reason: reason.toString() }));
    await new Promise<void>((resolve, reject) => {
      reviewer.once('open', () => resolve());
      reviewer.once('error', reject);
    });
    await waitFor(() => origin.length === 1, 'the origin accepted the reviewer');

    await a.agent.api.revokeLink(link.id);
    const again = await request(h.gateway, url, { headers: { cookie, accept: 'application/json' } });
    expect(again.status).toBe(410); // A new request with the revoked link's cookie is refused…
    // …but the socket opened with it still carries the app. Bounded: 20 messages, 100 ms apart.
    for (let i = 0; i < 20 && reviewer.readyState === WebSocket.OPEN; i++) {
      origin[0]!.send(`after revoke ${i}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(received, 'the revoked reviewer must get nothing more').toEqual([]);
    await waitFor(() => close !== null, 'the reviewer WebSocket to close');
    expect(close).toEqual({ code: 1008, reason: 'the share link was revoked' });
  });
});

describe('a WebSocket ends when its port stops admitting its viewer', () => {
  it("a reviewer's WebSocket is closed (1008) when the owner makes the link port private", async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    afterTest(() => new Promise<void>((resolve) => server.close(() => resolve())));
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    const port = (server.address() as AddressInfo).port;
    const origin: WebSocket[] = [];
    server.on('connection', (socket) => origin.push(socket));
    const a = await startAgent(h, [port], { visibility: () => 'link' });
    const link = await a.agent.api.createLink(port);
    const exchanged = await request(h.gateway, link.url, { headers: { accept: 'text/html' } });
    const cookie = String(exchanged.headers['set-cookie']).split(';')[0] as string;
    const url = await a.agent.url(port);
    const reviewer = new WebSocket(url.replace(/^http/, 'ws'), { headers: { cookie }, lookup });
    afterTest(() => reviewer.terminate());
    let close: { code: number; reason: string } | null = null;
    reviewer.on('close', (code, reason) => (close = { code, reason: reason.toString() }));
    await new Promise<void>((resolve, reject) => {
      reviewer.once('open', () => resolve());
      reviewer.once('error', reject);
    });
    await waitFor(() => origin.length === 1, 'the origin accepted the reviewer');
    // Positive control: the socket carries messages while the port is shared.
    const first = new Promise<string>((resolve) => reviewer.once('message', (data) => resolve(String(data))));
    origin[0]!.send('while shared');
    expect(await first).toBe('while shared');

    await a.agent.api.setVisibility(port, 'private');
    await waitFor(() => close !== null, 'the reviewer WebSocket to close', 5000);
    expect(close).toEqual({ code: 1008, reason: 'the port is no longer shared with this viewer' });
  });
});
