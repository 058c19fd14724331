/**
 * WebSocket backpressure end to end (issue 13, item 2): a viewer that stops
 * reading holds the origin back through the runtime-coupled data connection
 * instead of filling the Session object; the limits (message size, a client
 * that never makes its data connection) end the socket with a clear code.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { lookup } from '../../client/net/lookup';
import { Connection } from '../../client/tunnel/connection';
import { type MuxStream, type PortSnapshotFrame, ResetCode } from '../../protocol';
import { descendantsNamed, rssMiB } from '../../bench/procs';
import { rawViewer } from '../../bench/raw-websocket';
import { afterTest, createSession, type Harness, request, startAgent, startHarness, waitFor } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ ORIGIN_TIMEOUT: '2' });
});
afterAll(async () => {
  await h?.stop();
});

const MiB = 1024 * 1024;

/** A ws origin on 127.0.0.1:0 for the running test. */
async function wsOrigin(onConnection: (socket: WebSocket) => void): Promise<number> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, maxPayload: 64 * MiB });
  afterTest(
    () =>
      new Promise<void>((resolve) => {
        for (const c of server.clients) c.terminate();
        server.close(() => resolve());
      }),
  );
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  server.on('connection', onConnection);
  return (server.address() as AddressInfo).port;
}

function gatewayRss(): number {
  const [workerd] = descendantsNamed(process.pid, 'workerd');
  if (workerd === undefined) throw new Error('no workerd under this process');
  return rssMiB(workerd);
}

describe('WebSocket backpressure', () => {
  it('a viewer that stops reading holds the origin back; the gateway stays under 32 MiB more; then every byte arrives in order', async () => {
    const TOTAL = 128 * MiB;
    const CHUNK = 64 * 1024;
    // The origin sends random (incompressible) data as fast as its socket takes it, never more than 1 MiB queued.
    const sent = { bytes: 0, written: 0, lastWriteAt: Date.now(), hash: createHash('sha256') };
    const port = await wsOrigin((socket) => {
      const pump = () => {
        while (sent.bytes < TOTAL && socket.bufferedAmount < MiB && socket.readyState === WebSocket.OPEN) {
          const chunk = randomBytes(CHUNK);
          sent.hash.update(chunk);
          sent.bytes += CHUNK;
          socket.send(chunk, { binary: true }, () => {
            sent.written += CHUNK;
            sent.lastWriteAt = Date.now();
            setImmediate(pump);
          });
        }
      };
      pump();
    });
    const a = await startAgent(h, [port]);
    const url = new URL(await a.agent.url(port));
    const before = gatewayRss();
    const viewer = await rawViewer(h.gateway.port, url.host, '/feed');
    afterTest(() => viewer.destroy());

    // Held back: the origin's writes stop (none for 1 s) well short of everything.
    await waitFor(() => sent.written > 0 && Date.now() - sent.lastWriteAt > 1000, 'the origin to be held back', 30_000);
    const grown = gatewayRss() - before;
    console.log(`held back: origin wrote ${(sent.written / MiB).toFixed(1)} MiB, workerd grew ${grown.toFixed(1)} MiB`);
    expect(sent.written, `the origin wrote ${sent.written / MiB} MiB to a viewer that reads nothing`).toBeLessThan(
      48 * MiB,
    );
    expect(grown, `workerd grew ${grown.toFixed(1)} MiB`).toBeLessThan(32);

    viewer.read();
    await waitFor(() => viewer.received === TOTAL, 'the viewer to receive every byte', 60_000, 50);
    expect(viewer.digest()).toBe(sent.hash.digest('hex'));
  });

  it('a message over 32 MiB ends the socket with 1009 and a reason, either way', async () => {
    const port = await wsOrigin((socket) => {
      socket.on('message', (data: Buffer) => {
        if (data.toString() === 'big') socket.send(Buffer.alloc(32 * MiB + 1));
      });
    });
    const a = await startAgent(h, [port]);
    const url = (await a.agent.url(port)).replace(/^http/, 'ws');
    const open = async () => {
      const socket = new WebSocket(url, { lookup, maxPayload: 64 * MiB });
      afterTest(() => socket.terminate());
      const closed = new Promise<{ code: number; reason: string }>((resolve) =>
        socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
      );
      await new Promise((resolve, reject) => {
        socket.once('open', resolve);
        socket.once('error', reject);
      });
      return { socket, closed };
    };
    const fromOrigin = await open();
    fromOrigin.socket.send('big');
    expect(await fromOrigin.closed).toEqual({ code: 1009, reason: 'the origin sent a message over 33554432 bytes' });

    const fromViewer = await open();
    fromViewer.socket.send(Buffer.alloc(32 * MiB + 1));
    const closed = await fromViewer.closed;
    expect(closed.code).toBe(1009);
    expect(closed.reason).toMatch(/too large/i);
  });
});

/** A hand-driven client: answers every upgrade 101 and makes no data connection unless the test does. */
async function rawClient(port: number): Promise<{ token: string; url: string; streams: MuxStream[] }> {
  const { token } = await createSession(h);
  const streams: MuxStream[] = [];
  let snapshot: PortSnapshotFrame | null = null;
  const connection = await Connection.open({
    gateway: h.gateway.url,
    token,
    onStream: (stream) => {
      streams.push(stream);
      if (stream.request?.upgrade) stream.respond({ status: 101, headers: [] });
    },
    onSnapshot: (frame) => {
      snapshot = frame;
    },
  });
  afterTest(() => connection.terminate());
  connection.mux.control({ type: 'HELLO', stream: 0, body: { ports: [{ port, visibility: 'public' }] } });
  const entry = await waitFor(() => snapshot?.body.ports.find((p) => p.port === port), 'the port table');
  return { token, url: entry.url, streams };
}

/** The status of a data connection attempt (101 when it opened); the socket, when open, closes with the test. */
function dial(token: string | null, query: string): Promise<{ status: number; body: string; socket?: WebSocket }> {
  const socket = new WebSocket(`${h.gateway.url.replace(/^http/, 'ws')}/connect/ws?${query}`, {
    lookup,
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  afterTest(() => socket.terminate());
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ status: 101, body: '', socket }));
    socket.once('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    socket.once('error', reject);
  });
}

describe('data connections', () => {
  it('a client that never makes its data connection: the viewer is closed with 1011 and a reason, the stream reset', async () => {
    const client = await rawClient(4101);
    const viewer = new WebSocket(client.url.replace(/^http/, 'ws'), { lookup });
    afterTest(() => viewer.terminate());
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      viewer.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    await new Promise((resolve, reject) => {
      viewer.once('open', resolve);
      viewer.once('error', reject);
    });
    expect(await closed).toEqual({ code: 1011, reason: 'the session made no data connection within 2 s' });
    const error = await client.streams[0]!.done();
    expect(error?.code).toBe(ResetCode.TIMEOUT);
  });

  it('is refused for a stream that is unknown, not an upgrade, of another session, or already attached', async () => {
    const client = await rawClient(4102);
    const other = await createSession(h);
    expect((await dial(null, 'stream=1')).status).toBe(401);
    expect((await dial(client.token, 'stream=abc')).status).toBe(400);
    expect((await dial(client.token, 'stream=7')).status).toBe(404);

    // A plain GET's stream (the raw client never answers it) is no WebSocket.
    void request(h.gateway, client.url).catch(() => {});
    await waitFor(() => client.streams.length === 1, 'the GET at the client');
    const get = client.streams[0]!;
    const notUpgrade = await dial(client.token, `stream=${get.id}`);
    expect(notUpgrade.status).toBe(404);
    expect(JSON.parse(notUpgrade.body)).toMatchObject({ error: 'unknown_stream' });

    const viewer = new WebSocket(client.url.replace(/^http/, 'ws'), { lookup });
    afterTest(() => viewer.terminate());
    await new Promise((resolve) => viewer.once('open', resolve));
    const upgraded = client.streams[1]!;
    expect((await dial(other.token, `stream=${upgraded.id}`)).status).toBe(404);
    const data = await dial(client.token, `stream=${upgraded.id}`);
    expect(data.status).toBe(101);
    const again = await dial(client.token, `stream=${upgraded.id}`);
    expect(again.status).toBe(409);
    expect(JSON.parse(again.body)).toMatchObject({ error: 'stream_attached' });

    // The one that was let through is coupled to the viewer.
    const got = new Promise<string>((resolve) => data.socket!.once('message', (m: Buffer) => resolve(m.toString())));
    viewer.send('hello over the data connection');
    expect(await got).toBe('hello over the data connection');
  });
});
