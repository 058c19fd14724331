/**
 * ATTACK (issue 13 item 3, the read probe as merged): DATA is left out of the unread count because
 * flow control bounds it, but the window is the client's to grant: up to MAX_WINDOW (2 GiB) per
 * stream. A hostile client grants a stream 2 GiB of credit, then stops reading; its own viewer (the
 * attacker, on a public port, or with the owner token the session token mints) uploads a body. The
 * Session object sends every byte on to the socket, which queues without limit (protocol/read-probe.ts
 * says so itself): the gateway buffers whatever the viewer uploads. 256 streams × 2 GiB. This test
 * fails until DATA towards the client is also bounded by what it is known to have read (count DATA
 * in the probe too, or cap a stream's window well below 2 GiB and the sum over streams).
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { lookup } from '../../client/net/lookup';
import { decode, encode, type Frame, INITIAL_WINDOW, SUBPROTOCOL } from '../../protocol';
import { MAX_WINDOW } from '../../protocol/flow';
import { descendantsNamed, rssMiB } from '../../bench/procs';
import { afterTest, createSession, type Harness, startHarness, waitFor } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const MiB = 1024 * 1024;
/** What the viewer tries to upload; the gateway should stop taking it long before. */
const UPLOAD = 256 * MiB;
/**
 * Generous: the 8 MiB budget plus every socket buffer between viewer, workerd and client (on
 * loopback up to tcp_rmem's 32 MiB plus tcp_wmem's 4 MiB each way here: 72 MiB), plus margin.
 */
const BOUND = 100 * MiB;

/** Resident memory of this test's workerd processes, in MiB (for the failure message). */
function workerdRssMiB(): number {
  return Math.round(descendantsNamed(process.pid, 'workerd').reduce((sum, pid) => sum + rssMiB(pid), 0));
}

describe('ATTACK: a client that grants a huge window and stops reading', () => {
  it('does not make the gateway take a viewer upload without bound', async () => {
    const { token } = await createSession(h);
    const ws = new WebSocket(`${h.gateway.url.replace('http', 'ws')}/connect`, [SUBPROTOCOL], {
      headers: { authorization: `Bearer ${token}` },
      lookup,
      perMessageDeflate: false, // As the real client (tunnel/connection.ts).
    });
    afterTest(() => ws.terminate());
    let url = '';
    let opened = 0;
    let closed: number | null = null;
    ws.on('close', (code) => (closed = code));
    const send = (frame: Frame) => ws.send(encode(frame));
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) return;
      const frame = decode(new Uint8Array(data));
      if (frame.type === 'PORT_SNAPSHOT') url = frame.body.ports[0]?.url ?? '';
      if (frame.type === 'OPEN') {
        opened = frame.stream;
        // All the credit a stream may hold, then read nothing more (no RESPONSE, no ack).
        send({ type: 'WINDOW', stream: frame.stream, credit: MAX_WINDOW - INITIAL_WINDOW });
        ws.pause();
      }
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    send({ type: 'HELLO', stream: 0, body: { ports: [{ port: 4000, visibility: 'public' }] } });
    await waitFor(() => url, 'the port URL');

    // The viewer uploads in 1 MiB chunks, as fast as the gateway takes them; a stall of 3 s ends it.
    const target = new URL(url);
    const req = http.request({
      host: '127.0.0.1',
      port: h.gateway.port,
      method: 'POST',
      path: '/upload',
      headers: { host: target.host, 'content-type': 'application/octet-stream' },
      agent: false,
    });
    req.on('error', () => undefined); // Reset when the test ends: the count is what matters.
    afterTest(() => req.destroy());
    const rssBefore = workerdRssMiB();
    // Random bytes: the tunnel's permessage-deflate would shrink a repeated byte a thousandfold in the queue.
    const chunk = randomBytes(MiB);
    let taken = 0;
    for (let i = 0; i < UPLOAD / MiB; i++) {
      const more = req.write(chunk);
      if (!more) {
        const drained = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), 3000);
          req.once('drain', () => {
            clearTimeout(timer);
            resolve(true);
          });
        });
        if (!drained) break;
      }
      taken += MiB;
    }
    expect(opened).not.toBe(0);
    expect(
      { takenMiB: taken / MiB, closed },
      `the gateway took ${taken / MiB} MiB of upload for a client that read none of it (workerd RSS ${rssBefore} → ${workerdRssMiB()} MiB)`,
    ).toSatisfy(({ takenMiB }: { takenMiB: number }) => takenMiB * MiB <= BOUND);
  });
});
