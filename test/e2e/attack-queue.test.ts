/**
 * Attacks on the admission queue (gateway/session/viewers.ts) and on the local
 * front's word that a viewer left (client/dev/front.ts tellLeft,
 * gateway/routing/disconnect.ts).
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { ApiStatus } from '../../protocol';
import { afterTest, type Harness, request, startAgent, startHarness, waitFor } from './harness';

const MAX_STREAMS = 8;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    MAX_STREAMS: String(MAX_STREAMS),
    VIEWER_MAX_STREAMS: String(MAX_STREAMS),
    // Far above the bounds below: a stream freed in time was freed because its viewer left.
    ORIGIN_TIMEOUT: '30',
  });
});
afterAll(async () => {
  await h?.stop();
});

/**
 * A client exposing an origin that never answers `/quiet`, answers anything else 'fresh' and accepts
 * WebSockets; the session's streams in flight and requests waiting (the owner's status).
 */
async function quietSession() {
  let received = 0;
  const server = http.createServer((req, res) => {
    if (req.url === '/quiet') received++;
    else res.end('fresh');
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, () => {}));
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  afterTest(() => {
    for (const c of wss.clients) c.terminate();
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  const a = await startAgent(h, [(server.address() as { port: number }).port]);
  const owner = (await a.agent.api.ownerToken()).token;
  const status = async () => {
    const reply = await request(h.gateway, `/api/sessions/${a.session}/status`, {
      headers: { authorization: `Bearer ${owner}` },
    });
    return JSON.parse(reply.body.toString()) as ApiStatus;
  };
  const port = (server.address() as { port: number }).port;
  return {
    url: new URL(await a.agent.url(port)),
    streams: async () => (await status()).streams,
    waiting: async () => (await status()).waiting,
    received: () => received,
  };
}

/** A GET of `path` on `host` from `localAddress` that waits for its answer (and is destroyed when the test ends). */
function hold(host: string, path: string, localAddress: string): void {
  const req = http.get({
    host: '127.0.0.1',
    port: h.gateway.port,
    path,
    headers: { host },
    agent: false,
    localAddress,
  });
  req.on('error', () => {});
  afterTest(() => req.destroy());
}

/** A GET of `path` on `host` whose viewer leaves as soon as the request is written. */
function leaveAtOnce(host: string, path: string): Promise<void> {
  return new Promise((resolve) => {
    const req = http.get({
      host: '127.0.0.1',
      port: h.gateway.port,
      path,
      headers: { host, 'x-pad': 'p'.repeat(28_000) },
      agent: false,
    });
    req.on('error', () => resolve());
    req.on('finish', () => {
      req.destroy();
      resolve();
    });
    afterTest(() => req.destroy());
  });
}

describe("the front's word that a viewer left", () => {
  it('a viewer that leaves at once (its left POST may overtake the request) frees its stream', async () => {
    const s = await quietSession();
    // Rounds of MAX_STREAMS viewers that leave as soon as they asked: each must be freed before the next.
    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: MAX_STREAMS }, () => leaveAtOnce(s.url.host, '/quiet')));
      // Let every request that will reach the origin reach it.
      await new Promise((resolve) => setTimeout(resolve, 300));
      await waitFor(async () => (await s.streams()) === 0, `round ${round}: every abandoned stream freed`, 3_000, 50);
    }
    const fresh = await request(h.gateway, `${s.url.href}fresh`);
    expect(fresh.status).toBe(200);
  });
});

describe('a waiting request whose viewer leaves', () => {
  it('a WebSocket upgrade waiting for a stream leaves the queue when its viewer leaves', async () => {
    const s = await quietSession();
    // Another viewer (127.0.0.2) holds every stream of the session.
    for (let i = 0; i < MAX_STREAMS; i++) hold(s.url.host, '/quiet', '127.0.0.2');
    await waitFor(async () => (await s.streams()) === MAX_STREAMS, 'every stream held', 5_000, 50);
    // A viewer (127.0.0.3) asks for WebSockets: they wait their turn...
    const WAITING = 4;
    const upgrades = Array.from({ length: WAITING }, () => {
      const req = http.request({
        host: '127.0.0.1',
        port: h.gateway.port,
        localAddress: '127.0.0.3',
        agent: false,
        headers: {
          host: s.url.host,
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        },
      });
      req.on('error', () => {});
      req.end();
      afterTest(() => req.destroy());
      return req;
    });
    await waitFor(async () => (await s.waiting()) === WAITING, 'the upgrades waiting', 5_000, 50);
    // ...and their viewer leaves: they must leave the queue (QUEUE_TIMEOUT is 30 s).
    for (const req of upgrades) req.destroy();
    await waitFor(async () => (await s.waiting()) === 0, 'the abandoned upgrades out of the queue', 3_000, 50);
  });
});

describe('the waiting room against one IPv6 /48', () => {
  it('a /48 spread over many /64s cannot fill the waiting room against a newcomer (networks count, as for streams)', async () => {
    // The /48 may hold 2 × VIEWER_MAX_STREAMS = half the session; the room holds 8.
    const g = await startHarness({
      MAX_STREAMS: '8',
      VIEWER_MAX_STREAMS: '2',
      QUEUE_LENGTH: '8',
      VIEWER_QUEUE_LENGTH: '8',
      ORIGIN_TIMEOUT: '60',
    });
    const server = http.createServer((req, res) => {
      if (req.url !== '/quiet') res.end('fresh');
    });
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    afterTest(() => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    });
    const port = (server.address() as { port: number }).port;
    const a = await startAgent(g, [port]);
    const host = new URL(await a.agent.url(port)).host;
    const owner = (await a.agent.api.ownerToken()).token;
    const status = async () => {
      const reply = await request(g.gateway, `/api/sessions/${a.session}/status`, {
        headers: { authorization: `Bearer ${owner}` },
      });
      return JSON.parse(reply.body.toString()) as ApiStatus;
    };
    // Straight to workerd's socket, as the edge would forward a viewer of this address.
    const ask = (path: string, ip: string) => {
      const req = http.get({
        host: '127.0.0.1',
        port: g.gateway.directPort,
        path: `http://${host}${path}`,
        headers: { host, 'cf-connecting-ip': ip },
        agent: false,
      });
      req.on('error', () => {});
      afterTest(() => req.destroy());
      return new Promise<number>((resolve) => req.on('response', (res) => resolve(res.statusCode ?? 0)));
    };
    // The /48 takes its half (two /64s, two streams each), four other viewers the rest: the session is full.
    for (const net of [1, 2]) for (let i = 0; i < 2; i++) void ask('/quiet', `2001:db8:1:${net}::1`);
    await waitFor(async () => (await status()).streams === 4, 'the /48 holding half', 5_000, 50);
    for (let i = 1; i <= 4; i++) void ask('/quiet', `198.51.100.${i}`);
    await waitFor(async () => (await status()).streams === 8, 'the session full', 5_000, 50);
    // The /48 fills the waiting room with one request from each of eight more /64s.
    for (let i = 0; i < 8; i++) void ask('/quiet', `2001:db8:1:${10 + i}::1`);
    await waitFor(async () => (await status()).waiting === 8, 'the room full', 5_000, 50);
    // A newcomer from elsewhere gets a place in the room (one of the /48's is dropped), not a 503 at once.
    const newcomer = ask('/fresh', '203.0.113.7');
    const outcome = await Promise.race([newcomer, new Promise((resolve) => setTimeout(resolve, 1_500, 'waiting'))]);
    expect(outcome).toBe('waiting');
    expect((await status()).waiting).toBe(8);
  });
});

describe('an upgrade read while it waits', () => {
  it('bytes a viewer sends before the 101 (its first WebSocket message) still reach the origin', async () => {
    const server = http.createServer((_req, res) => res.end('fresh'));
    const wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, socket, head) =>
      wss.handleUpgrade(req, socket, head, (ws) => ws.on('message', (data) => ws.send(`echo ${String(data)}`))),
    );
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    afterTest(() => {
      for (const c of wss.clients) c.terminate();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    });
    const port = (server.address() as { port: number }).port;
    const a = await startAgent(h, [port]);
    const host = new URL(await a.agent.url(port)).host;
    const socket = net.connect(h.gateway.port, '127.0.0.1');
    afterTest(() => socket.destroy());
    const mask = Buffer.from([1, 2, 3, 4]);
    const payload = Buffer.from('hello').map((byte, i) => byte ^ (mask[i % 4] as number));
    socket.write(
      `GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    // The first message, at once, in a separate write (not with the head): the front reads it while waiting.
    await new Promise((resolve) => setTimeout(resolve, 20));
    socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, payload]));
    let got = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => (got = Buffer.concat([got, chunk])));
    await waitFor(() => got.includes('echo hello'), 'the echo of the early message', 5_000);
    expect(got.toString('latin1')).toMatch(/^HTTP\/1.1 101 /);
  });
});
