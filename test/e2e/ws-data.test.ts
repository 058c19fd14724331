/**
 * The data connection of a viewer's WebSocket (docs/protocol.md, "Upgraded
 * streams"), driven by hand: a client that never makes it gets its viewer
 * closed with 1011 and its stream reset; `/connect/ws` refuses what is not a
 * waiting WebSocket of the token's own session.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { lookup } from '../../client/net/lookup';
import { Connection } from '../../client/tunnel/connection';
import { type MuxStream, type PortSnapshotFrame, ResetCode } from '../../protocol';
import { afterTest, createSession, type Harness, request, startHarness, waitFor } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ ORIGIN_TIMEOUT: '2' });
});
afterAll(async () => {
  await h?.stop();
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
  it(
    'a client that never makes its data connection: the viewer is closed with 1011 and a reason, the stream reset',
    { timeout: 20_000 },
    async () => {
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
      expect(await closed).toEqual({ code: 1011, reason: 'the session made no data connection within 10 s' });
      const error = await client.streams[0]!.done();
      expect(error?.code).toBe(ResetCode.TIMEOUT);
    },
  );

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
