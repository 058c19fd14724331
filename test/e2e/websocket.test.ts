/**
 * WebSockets through a preview URL: the gateway in workerd, the real client,
 * real ws servers as origins, ws clients as viewers.
 */
import { createHash } from 'node:crypto';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { lookup } from '../../client/net/lookup';
import { afterTest, type Harness, type RunningAgent, startAgent, startHarness, startOrigin, waitFor } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ ORIGIN_TIMEOUT: '10' });
});
afterAll(async () => {
  await h?.stop();
});

interface Origin {
  port: number;
  server: WebSocketServer;
  /** Each connection's upgrade request. */
  upgrades: http.IncomingMessage[];
  connections: WebSocket[];
}

/** A real WebSocket origin on 127.0.0.1:0 for the running test; `onConnection` decides what it does. */
async function wsOrigin(
  onConnection: (socket: WebSocket, request: http.IncomingMessage) => void,
  options: { protocols?: boolean } = {},
): Promise<Origin> {
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    ...(options.protocols ? { handleProtocols: (set: Set<string>) => (set.has('chat.v2') ? 'chat.v2' : false) } : {}),
  });
  afterTest(
    () =>
      new Promise<void>((resolve) => {
        for (const c of server.clients) c.terminate();
        server.close(() => resolve());
      }),
  );
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const origin: Origin = { port: (server.address() as AddressInfo).port, server, upgrades: [], connections: [] };
  server.on('connection', (socket, request) => {
    origin.upgrades.push(request);
    origin.connections.push(socket);
    onConnection(socket, request);
  });
  return origin;
}

function echo(socket: WebSocket): void {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
}

function agentFor(ports: number[], visibility: 'public' | 'private' = 'public'): Promise<RunningAgent> {
  return startAgent(h, ports, { visibility: () => visibility });
}

interface Viewer {
  socket: WebSocket;
  messages: { data: Buffer; binary: boolean }[];
  next(): Promise<{ data: Buffer; binary: boolean }>;
  closed: Promise<{ code: number; reason: string }>;
}

/** A viewer's WebSocket to a preview URL (ws: *.localhost resolved to loopback), closed when the test ends. */
function viewer(url: string, protocols: string[] = [], headers: Record<string, string> = {}): Promise<Viewer> {
  const socket = new WebSocket(url.replace(/^http/, 'ws'), protocols, { headers, lookup });
  const messages: { data: Buffer; binary: boolean }[] = [];
  const waiting: (() => void)[] = [];
  socket.on('message', (data: Buffer, binary: boolean) => {
    messages.push({ data, binary });
    for (const wake of waiting.splice(0)) wake();
  });
  let read = 0;
  const next = () =>
    new Promise<{ data: Buffer; binary: boolean }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no message within 20 s')), 20_000);
      const check = () => {
        if (read < messages.length) {
          clearTimeout(timer);
          resolve(messages[read++]!);
        } else waiting.push(check);
      };
      check();
    });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  afterTest(() => socket.terminate());
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket, messages, next, closed }));
    socket.once('unexpected-response', (_req, res: http.IncomingMessage) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () =>
        reject(Object.assign(new Error(`HTTP ${res.statusCode}: ${body}`), { status: res.statusCode })),
      );
    });
    socket.once('error', reject);
  });
}

describe('WebSockets through the tunnel', () => {
  it('echoes text and binary in order, a 4 MiB message whole, with the chosen subprotocol and the right headers', async () => {
    const origin = await wsOrigin(echo, { protocols: true });
    const a = await agentFor([origin.port]);
    const url = `${await a.agent.url(origin.port)}socket?room=1`;
    const v = await viewer(url, ['chat.v1', 'chat.v2'], {
      origin: new URL(url).origin,
      cookie: 'app=1; porthole=secret',
    });
    expect(v.socket.protocol).toBe('chat.v2');
    const upgrade = origin.upgrades[0]!;
    expect(upgrade.url).toBe('/socket?room=1');
    expect(upgrade.headers.host).toBe(`localhost:${origin.port}`);
    expect(upgrade.headers['x-forwarded-host']).toBe(new URL(url).host);
    // The preview's own Origin follows Host to localhost:<port> (client/origin/host-rewrite.ts).
    expect(upgrade.headers.origin).toBe(`http://localhost:${origin.port}`);
    expect(upgrade.headers.cookie).toBe('app=1');

    for (let i = 0; i < 100; i++) v.socket.send(`message ${i}`);
    v.socket.send(Buffer.from([0, 1, 2, 255]));
    const big = Buffer.alloc(4 * 1024 * 1024, 7);
    big.write('start');
    v.socket.send(big);
    for (let i = 0; i < 100; i++) expect(await v.next()).toEqual({ data: Buffer.from(`message ${i}`), binary: false });
    expect(await v.next()).toEqual({ data: Buffer.from([0, 1, 2, 255]), binary: true });
    const back = await v.next();
    expect(back.binary).toBe(true);
    expect(createHash('sha256').update(back.data).digest('hex')).toBe(createHash('sha256').update(big).digest('hex'));
  });

  it('closes cross with their code and reason, both ways; a close without a code stays without one', async () => {
    const origin = await wsOrigin((socket) => {
      socket.on('message', (data) => {
        if (data.toString() === 'close me') socket.close(4001, 'origin says bye');
        if (data.toString() === 'close without a code') socket.close();
      });
    });
    const a = await agentFor([origin.port]);
    const url = await a.agent.url(origin.port);

    const first = await viewer(url);
    first.socket.send('close me');
    expect(await first.closed).toEqual({ code: 4001, reason: 'origin says bye' });

    const second = await viewer(url);
    const originSide = await waitFor(() => origin.connections[1], "the origin's end of the second viewer's socket");
    const originClosed = new Promise<{ code: number; reason: string }>((resolve) =>
      originSide.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    second.socket.close(4002, 'viewer says bye');
    expect(await originClosed).toEqual({ code: 4002, reason: 'viewer says bye' });
    expect((await second.closed).code).toBe(4002);

    // No code crosses as no code (the viewer sees 1005), not as 1000.
    const bare = await viewer(url);
    bare.socket.send('close without a code');
    expect(await bare.closed).toEqual({ code: 1005, reason: '' });
  });

  it('a chat: what one viewer sends, every viewer receives', async () => {
    const origin = await wsOrigin((socket) => {
      socket.on('message', (data) => {
        for (const client of origin.server.clients) client.send(data.toString());
      });
    });
    const a = await agentFor([origin.port]);
    const url = await a.agent.url(origin.port);
    const alice = await viewer(url);
    const bob = await viewer(url);
    alice.socket.send('hi from alice');
    expect((await bob.next()).data.toString()).toBe('hi from alice');
    expect((await alice.next()).data.toString()).toBe('hi from alice');
    bob.socket.send('hi from bob');
    expect((await alice.next()).data.toString()).toBe('hi from bob');
  });

  it('an origin that refuses the upgrade is answered as it answered; no server at all is a 502', async () => {
    const plain = await startOrigin((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no sockets here');
    });
    const dead = await startOrigin(() => {});
    await dead.close();
    const a = await agentFor([plain.port, dead.port]);
    await expect(viewer(await a.agent.url(plain.port))).rejects.toMatchObject({ status: 404 });
    await expect(viewer(await a.agent.url(dead.port))).rejects.toMatchObject({ status: 502 });
  });

  it('a private port needs its owner for a WebSocket too; the token header never reaches the origin', async () => {
    const origin = await wsOrigin(echo);
    const a = await agentFor([origin.port], 'private');
    const url = await a.agent.url(origin.port);
    await expect(viewer(url)).rejects.toMatchObject({ status: 401 });
    expect(origin.upgrades).toHaveLength(0);
    const owner = (await a.agent.api.ownerToken()).token;
    const v = await viewer(url, [], { 'x-porthole-token': owner });
    v.socket.send('as owner');
    expect((await v.next()).data.toString()).toBe('as owner');
    expect(origin.upgrades[0]?.headers['x-porthole-token']).toBeUndefined();
  });

  it('the origin dropping the connection, or the tunnel dropping, closes the viewer with 1011', async () => {
    const origin = await wsOrigin(echo);
    const a = await agentFor([origin.port]);
    const url = await a.agent.url(origin.port);

    const v1 = await viewer(url);
    v1.socket.send('x');
    await v1.next();
    origin.connections[0]!.terminate();
    expect((await v1.closed).code).toBe(1011);

    const v2 = await viewer(url);
    v2.socket.send('y');
    await v2.next();
    a.agent.connection!.terminate();
    const closed = await v2.closed;
    expect(closed.code).toBe(1011);
    expect(closed.reason).toMatch(/tunnel/);
    // The client reconnects; a new socket works.
    await a.event(
      (e) => e.event === 'tunnel.up' && a.events.filter((x) => x.event === 'tunnel.up').length > 1,
      'reconnect',
    );
    const v3 = await viewer(url);
    v3.socket.send('again');
    expect((await v3.next()).data.toString()).toBe('again');
  });
});
