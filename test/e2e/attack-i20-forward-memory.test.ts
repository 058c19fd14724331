/**
 * ATTACK (issue 20, raw TCP forwarding): backpressure and memory end to end, as ws-backpressure.test.ts
 * does for viewer WebSockets. An owner that reads nothing holds the origin back, and an origin that
 * reads nothing holds the owner back, with the gateway (workerd) bounded either way; the bytes then
 * arrive whole and in order.
 */
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORWARD_WINDOW, FORWARD_WINDOW_STEP, MAX_FORWARD_MESSAGE, windowMessage } from '../../protocol';
import { type Harness, startAgent, startHarness, waitFor } from './harness';
import { gatewayRss, openOwner, type OwnerSocket, recordingOrigin, within } from './forward-kit';
import { ownerToken, tcpOrigin } from './tcp-kit';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const MiB = 1024 * 1024;
const TOTAL = 256 * MiB;
/**
 * What the held-back side may get out: kernel buffers on the loopback hops between it and the held
 * point (receive buffers autotune up to tcp_rmem's max, 32 MiB here, plus send buffers), the client's
 * and gateway's windows (256 KiB each). ws-backpressure.test.ts saw 54.6 MiB under load; without
 * backpressure the whole 256 MiB goes.
 */
const HELD = 96 * MiB;

async function ownerTo(port: number): Promise<OwnerSocket> {
  const a = await startAgent(h, [port]);
  const socket = await openOwner(h, a.session, port, await ownerToken(h, a.session, a.token), { keep: false });
  if (!('ws' in socket)) throw new Error(`refused: ${JSON.stringify(socket)}`);
  return socket;
}

describe('ATTACK: forwarding backpressure and memory', () => {
  it('an owner that grants no window holds the origin back, workerd < 32 MiB more; then every byte arrives in order', async () => {
    const sent = { written: 0, lastWriteAt: Date.now(), hash: createHash('sha256') };
    const origin = await tcpOrigin((socket) => {
      let queued = 0;
      const pump = () => {
        // As fast as the socket takes it: never more than 1 MiB waiting in Node.
        while (queued < TOTAL && socket.writableLength < MiB && !socket.destroyed) {
          const chunk = randomBytes(256 * 1024);
          sent.hash.update(chunk);
          queued += chunk.length;
          socket.write(chunk, () => {
            sent.written += chunk.length;
            sent.lastWriteAt = Date.now();
          });
        }
        if (queued >= TOTAL) socket.end();
      };
      socket.on('drain', pump);
      pump();
    });
    const before = gatewayRss();
    const owner = await ownerTo(origin.port);
    let received = 0;
    let unacked = 0;
    let reading = false;
    const hash = createHash('sha256');
    owner.ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) return;
      received += data.length;
      hash.update(data);
      unacked += data.length;
      if (reading && unacked >= FORWARD_WINDOW_STEP) {
        owner.ws.send(windowMessage(unacked));
        unacked = 0;
      }
    });

    await waitFor(() => sent.written > 0 && Date.now() - sent.lastWriteAt > 1000, 'the origin held back', 30_000);
    const grown = gatewayRss() - before;
    console.log(
      `owner reads nothing: origin wrote ${(sent.written / MiB).toFixed(1)} MiB, the owner got ${received} bytes, workerd +${grown.toFixed(1)} MiB`,
    );
    expect(received, 'the owner got only its window').toBeLessThanOrEqual(FORWARD_WINDOW + MAX_FORWARD_MESSAGE);
    expect(sent.written, `the origin wrote ${sent.written / MiB} MiB to an owner that reads nothing`).toBeLessThan(
      HELD,
    );
    expect(grown, `workerd grew ${grown.toFixed(1)} MiB`).toBeLessThan(32);

    reading = true;
    owner.ws.send(windowMessage(unacked));
    unacked = 0;
    await waitFor(() => received === TOTAL, 'every byte at the owner', 120_000, 50);
    await waitFor(() => owner.texts.includes('end'), "the origin's end");
    expect(hash.digest('hex')).toBe(sent.hash.digest('hex'));
  }, 180_000);

  it('an origin that reads nothing holds the owner back (no window past what the client took), workerd < 32 MiB more', async () => {
    const origin = await recordingOrigin(true);
    const before = gatewayRss();
    const owner = await ownerTo(origin.port);
    const sent = { bytes: 0, lastWindowAt: Date.now() };
    let credit = FORWARD_WINDOW;
    const pump = () => {
      while (credit >= MAX_FORWARD_MESSAGE && sent.bytes < TOTAL && owner.ws.readyState === owner.ws.OPEN) {
        owner.ws.send(randomBytes(MAX_FORWARD_MESSAGE));
        credit -= MAX_FORWARD_MESSAGE;
        sent.bytes += MAX_FORWARD_MESSAGE;
      }
    };
    owner.ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) return;
      credit += Number(data.toString().slice('window '.length));
      sent.lastWindowAt = Date.now();
      pump();
    });
    pump();

    await waitFor(() => Date.now() - sent.lastWindowAt > 1000, 'the owner held back', 30_000);
    const grown = gatewayRss() - before;
    console.log(
      `origin reads nothing: the owner sent ${(sent.bytes / MiB).toFixed(1)} MiB (granted ${(owner.granted() / MiB).toFixed(1)} MiB), workerd +${grown.toFixed(1)} MiB`,
    );
    expect(sent.bytes, `the owner sent ${sent.bytes / MiB} MiB to an origin that reads nothing`).toBeLessThan(HELD);
    expect(sent.bytes).toBe(FORWARD_WINDOW + owner.granted() - credit);
    expect(grown, `workerd grew ${grown.toFixed(1)} MiB`).toBeLessThan(32);

    // Held back, the owner goes past its window anyway (1 MiB at once): 1008, and the origin's connection is reset.
    for (let i = 0; i < 16; i++) owner.ws.send(randomBytes(MAX_FORWARD_MESSAGE));
    const closed = await within(owner.closed, 10_000, 'the close');
    expect(closed.code, closed.reason).toBe(1008);
    expect(closed.reason).toMatch(/of window/);
    const socket = origin.sockets[0];
    await waitFor(
      () => {
        if (!origin.connections[0]?.closed) socket?.write('?');
        return origin.connections[0]?.closed;
      },
      "the origin's connection reset",
      10_000,
      100,
    );
  }, 120_000);
});
