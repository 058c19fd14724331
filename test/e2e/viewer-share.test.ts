/**
 * Per-viewer fairness: one viewer (one client address) may hold at most
 * VIEWER_MAX_STREAMS of a session's streams while the session is busy; past
 * it a request waits for a stream (its viewer's queue holds VIEWER_QUEUE_LENGTH),
 * and one more is refused with 429 and Retry-After, while another viewer is
 * still served. Two viewers are two source addresses
 * on loopback (127.0.0.1 and 127.0.0.2): the local runtime takes the peer's
 * address as CF-Connecting-IP when the viewer sends none.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import type { ApiStatus } from '../../protocol';
import {
  afterTest,
  type Harness,
  type Reply,
  request,
  type RunningAgent,
  startAgent,
  startHarness,
  startOrigin,
  waitFor,
} from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    MAX_STREAMS: '4',
    VIEWER_MAX_STREAMS: '2',
    VIEWER_QUEUE_LENGTH: '1',
    ORIGIN_TIMEOUT: '30',
    QUEUE_TIMEOUT: '30',
  });
});
afterAll(async () => {
  await h?.stop();
});

/** A GET from the source address `from`, cut when the test ends. */
function getFrom(from: string, url: string, headers: Record<string, string> = {}): Promise<Reply> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: '127.0.0.1',
        port: h.gateway.port,
        localAddress: from,
        path: target.pathname,
        headers: { host: target.host, ...headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    afterTest(() => req.destroy());
  });
}

/** Until the session of `a` has `n` requests waiting for a stream (the owner's status). */
async function waiting(a: RunningAgent, n: number): Promise<void> {
  const owner = (await a.agent.api.ownerToken()).token;
  await waitFor(
    async () => {
      const reply = await request(h.gateway, `/api/sessions/${a.session}/status`, {
        headers: { authorization: `Bearer ${owner}` },
      });
      return (JSON.parse(reply.body.toString()) as ApiStatus).waiting === n;
    },
    `${n} waiting`,
    5_000,
  );
}

describe('one viewer over its share of the streams', () => {
  it('waits, then with its queue full gets 429 viewer_stream_limit with Retry-After; another viewer is served', async () => {
    const held: (() => void)[] = [];
    const origin = await startOrigin((req, res) => {
      if (req.url === '/hold') held.push(() => res.end('done'));
      else res.end('hello');
    });
    const a = await startAgent(h, [origin.port]);
    const url = await a.agent.url(origin.port);

    const first = [getFrom('127.0.0.1', `${url}hold`), getFrom('127.0.0.1', `${url}hold`)];
    await waitFor(() => held.length === 2, "viewer one's two requests at the origin", 5_000);

    // Over its share, the next request waits for one of its own streams to free…
    const queued = getFrom('127.0.0.1', url);
    await waiting(a, 1);
    // …and with its queue full (VIEWER_QUEUE_LENGTH 1), one more is refused at once.
    const refused = await getFrom('127.0.0.1', url);
    expect(refused.status).toBe(429);
    expect(refused.body.toString()).toContain('VIEWER_QUEUE_LENGTH');
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers['x-porthole-error']).toBe('viewer_stream_limit');
    expect(JSON.parse(refused.body.toString())).toMatchObject({ error: 'viewer_stream_limit' });
    expect(refused.body.toString()).toContain('VIEWER_MAX_STREAMS');
    const page = await getFrom('127.0.0.1', url, { accept: 'text/html' });
    expect(page.status).toBe(429);
    expect(page.body.toString()).toContain('VIEWER_MAX_STREAMS');

    // Another address is another viewer, with a share of its own.
    const other = await getFrom('127.0.0.2', url);
    expect(other.status).toBe(200);
    expect(other.body.toString()).toBe('hello');

    for (const release of held.splice(0)) release();
    for (const reply of await Promise.all(first)) expect(reply.body.toString()).toBe('done');
    expect((await queued).status).toBe(200);
    expect((await getFrom('127.0.0.1', url)).status).toBe(200);
  });

  it('WebSockets count too: two open sockets use up the share, the next request waits until one closes', async () => {
    const wss = new WebSocketServer({ noServer: true });
    const server = http.createServer((_req, res) => res.end('hello'));
    server.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, () => {}));
    server.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    afterTest(() => new Promise((resolve) => server.close(resolve)));
    afterTest(() => wss.clients.forEach((c) => c.terminate()));
    const port = (server.address() as { port: number }).port;
    const a = await startAgent(h, [port]);
    const target = new URL(await a.agent.url(port));
    const sockets = [0, 1].map(
      () =>
        new WebSocket(`ws://127.0.0.1:${h.gateway.port}/`, {
          headers: { host: target.host },
          localAddress: '127.0.0.3',
        }),
    );
    for (const socket of sockets) afterTest(() => socket.terminate());
    await Promise.all(
      sockets.map((s) => new Promise((resolve, reject) => s.once('open', resolve).once('error', reject))),
    );
    const queued = getFrom('127.0.0.3', target.href);
    await waiting(a, 1);
    expect((await getFrom('127.0.0.3', target.href)).status).toBe(429);
    sockets[0]?.close();
    expect((await queued).status).toBe(200);
  });

  it('trickled uploads count too: two unfinished request bodies use up the share', async () => {
    let arrived = 0;
    const origin = await startOrigin((req, res) => {
      if (req.method === 'POST') {
        arrived++;
        req.resume();
        req.on('end', () => res.end('uploaded'));
      } else res.end('hello');
    });
    const a = await startAgent(h, [origin.port]);
    const target = new URL(await a.agent.url(origin.port));
    for (let i = 0; i < 2; i++) {
      // A body that never finishes: one byte, then nothing.
      const req = http.request({
        host: '127.0.0.1',
        port: h.gateway.port,
        localAddress: '127.0.0.4',
        method: 'POST',
        path: '/upload',
        headers: { host: target.host, 'content-length': '1000000' },
        agent: false,
      });
      req.on('error', () => {});
      req.write('x');
      afterTest(() => req.destroy());
    }
    await waitFor(() => arrived === 2, 'both uploads at the origin', 5_000);
    // The next waits (for as long as the uploads hang), and one more is refused.
    getFrom('127.0.0.4', target.href).catch(() => {});
    await waiting(a, 1);
    expect((await getFrom('127.0.0.4', target.href)).status).toBe(429);
    expect((await getFrom('127.0.0.5', target.href)).status).toBe(200);
  });
});
