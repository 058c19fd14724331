/**
 * Attacks on WebSocket data connections (issue 13 item 2, attacker round 2): a viewer that sends
 * while its WebSocket still waits for the client's data connection.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { descendantsNamed, rssMiB } from '../../bench/procs';
import { lookup } from '../../client/net/lookup';
import { Connection } from '../../client/tunnel/connection';
import type { MuxStream, PortSnapshotFrame } from '../../protocol';
import { afterTest, createSession, type Harness, request, startHarness, waitFor } from './harness';

const MiB = 1024 * 1024;
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ ORIGIN_TIMEOUT: '20', MAX_STREAMS: '4', VIEWER_MAX_STREAMS: '4' });
});
afterAll(async () => {
  await h?.stop();
});

function gatewayRss(): number {
  const [workerd] = descendantsNamed(process.pid, 'workerd');
  if (workerd === undefined) throw new Error('no workerd under this process');
  return rssMiB(workerd);
}

/**
 * A hand-driven client: answers every upgrade 101; makes no data connection, or with `endAfterAttach`
 * makes it and then ends the stream at once while keeping the data connection open.
 */
async function rawClient(
  port: number,
  endAfterAttach = false,
  status = 101,
): Promise<{ url: string; streams: MuxStream[] }> {
  const { token } = await createSession(h);
  const streams: MuxStream[] = [];
  let snapshot: PortSnapshotFrame | null = null;
  const connection = await Connection.open({
    gateway: h.gateway.url,
    token,
    onStream: (stream) => {
      streams.push(stream);
      if (!stream.request?.upgrade) return;
      stream.respond({ status, headers: [] });
      if (status !== 101) void stream.end().catch(() => {});
      if (endAfterAttach) {
        const data = new WebSocket(`${h.gateway.url.replace(/^http/, 'ws')}/connect/ws?stream=${stream.id}`, {
          lookup,
          headers: { authorization: `Bearer ${token}` },
        });
        afterTest(() => data.terminate());
        // An echo, so the test sees the viewer is still coupled to it.
        data.on('message', (message: Buffer, isBinary) => data.send(message, { binary: isBinary }));
        data.once('open', () => void stream.end().catch(() => {}));
      }
    },
    onSnapshot: (frame) => {
      snapshot = frame;
    },
  });
  afterTest(() => connection.terminate());
  connection.mux.control({ type: 'HELLO', stream: 0, body: { ports: [{ port, visibility: 'public' }] } });
  const entry = await waitFor(() => snapshot?.body.ports.find((p) => p.port === port), 'the port table');
  return { url: entry.url, streams };
}

describe('attacker round 2: a WebSocket waiting for its data connection', () => {
  it('a viewer that sends before the data connection is made is held back; the gateway does not buffer it', async () => {
    const client = await rawClient(4201);
    const before = gatewayRss();
    const viewer = new WebSocket(client.url.replace(/^http/, 'ws'), { lookup, perMessageDeflate: false });
    afterTest(() => viewer.terminate());
    await new Promise((resolve, reject) => viewer.once('open', resolve).once('error', reject));
    // Send 1 MiB messages as fast as the socket takes them, up to 256 MiB, for as long as it moves.
    const sent = { written: 0, lastWriteAt: Date.now() };
    const chunk = randomBytes(MiB);
    const pump = () => {
      while (sent.written < 256 * MiB && viewer.bufferedAmount < 4 * MiB && viewer.readyState === WebSocket.OPEN) {
        viewer.send(chunk, { binary: true }, (error) => {
          if (error) return;
          sent.written += MiB;
          sent.lastWriteAt = Date.now();
          setImmediate(pump);
        });
      }
    };
    pump();
    await waitFor(
      () => sent.written >= 256 * MiB || Date.now() - sent.lastWriteAt > 1000,
      'the viewer to be held back',
      15_000,
    );
    const grown = gatewayRss() - before;
    console.log(`atk2: viewer wrote ${sent.written / MiB} MiB before any data connection; workerd +${grown} MiB`);
    expect(sent.written, 'what the viewer got out with no data connection').toBeLessThan(96 * MiB);
    expect(grown, 'workerd growth').toBeLessThan(32);
  });
});

describe('attacker round 2: a hostile client answering an upgrade', () => {
  it('an upgrade answered with a status no Response can carry is a 502 origin_error, not a 500 internal', async () => {
    // proxyHttp checks FINAL_STATUS (issue 13 item 6); ws-bridge.ts passes any non-101 status to
    // new Response(), which throws a RangeError for 103 or 199 (the codec lets 101..599 through):
    // a bare 500, and an internal error logged for the operator.
    for (const status of [103, 199]) {
      const client = await rawClient(4203 + status, false, status);
      const reply = await request(h.gateway, client.url, {
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-version': '13',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        },
      });
      expect(reply.status, `status ${status}`).toBe(502);
    }
  });
});
