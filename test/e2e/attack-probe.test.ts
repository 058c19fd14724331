/**
 * ATTACK (issue 13 item 3, the read probe as merged): probe numbers are predictable. The first
 * probe's number is random, but each next one is the last plus one (unread.ts), so a hostile
 * client reads until it has seen ONE probe, stops reading, and answers `ack n+1`, `ack n+2`, …
 * blindly (an ack for a number not yet sent is ignored without cost, so it just keeps sending a
 * window of them). The gateway then believes everything it sent was read and keeps queueing port
 * snapshots (or OPEN heads) towards a client that reads nothing, past the 8 MiB budget and without
 * bound. This test fails until an ack can only come from a client that read the probe (e.g. each
 * probe carries a fresh random nonce rather than a counter).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { lookup } from '../../client/net/lookup';
import { ackMessage, CloseCode, encode, type Frame, parseProbe, SUBPROTOCOL } from '../../protocol';
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
const range = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({ port: from + i, process: 'x'.repeat(100) }));

/** Resident memory of this test's workerd processes, in MiB (for the failure message). */
function workerdRssMiB(): number {
  return Math.round(descendantsNamed(process.pid, 'workerd').reduce((sum, pid) => sum + rssMiB(pid), 0));
}

describe('ATTACK: a client that does not read but acks probes it never read', () => {
  it('is closed with 1008 once 8 MiB are unread, even when it acks predicted probe numbers', async () => {
    const { token } = await createSession(h);
    const ws = new WebSocket(`${h.gateway.url.replace('http', 'ws')}/connect`, [SUBPROTOCOL], {
      headers: { authorization: `Bearer ${token}` },
      lookup,
      perMessageDeflate: false, // As the real client: what is queued is what is counted.
    });
    afterTest(() => ws.terminate());
    let firstProbe: string | null = null;
    let binaryBytes = 0;
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary) binaryBytes += data.length;
      else firstProbe ??= parseProbe(data.toString());
    });
    let closed: { code: number; reason: string } | null = null;
    ws.on('close', (code, reason) => (closed = { code, reason: reason.toString() }));
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const send = (frame: Frame) => ws.send(encode(frame));
    // ~200 KB snapshots (as control.test.ts): each PORTS change earns one. Changes 150 ms apart, as fast as the
    // real client's port watcher scans: each rewrites the 900-port table, so faster is over the control rate.
    send({ type: 'HELLO', stream: 0, body: { ports: range(20000, 900) } });
    let toggles = 0;
    const toggle = () => {
      const change = toggles++ % 2 === 0 ? { opened: [{ port: 30000 }], closed: [] } : { opened: [], closed: [30000] };
      send({ type: 'PORTS', stream: 0, body: change });
    };

    // Honest until the first probe (1 MiB of snapshots): that one number is all the attacker needs.
    const warmup = setInterval(() => ws.readyState === WebSocket.OPEN && toggle(), 150);
    afterTest(() => clearInterval(warmup));
    const seen = await waitFor(() => firstProbe, 'the first probe', 20_000);
    clearInterval(warmup);
    ws.send(ackMessage(seen));
    ws.pause(); // From here on it reads nothing at all.
    const readBeforePause = binaryBytes;
    const rssBefore = workerdRssMiB();

    // Blind acks, every 100 ms: the one it saw again, and the next 48 as if the nonce counted up (the
    // probe numbers of v4 did; since v5 each is 64 random bits). PORTS changes every 150 ms (under the rate limit).
    const predicted = (k: number) =>
      BigInt.asUintN(64, BigInt(`0x${seen}`) + BigInt(k))
        .toString(16)
        .padStart(16, '0');
    const blind = setInterval(() => {
      if (ws.readyState !== WebSocket.OPEN) return;
      for (let k = 0; k <= 48; k++) ws.send(ackMessage(predicted(k)));
    }, 100);
    afterTest(() => clearInterval(blind));
    let flooded = 0;
    await waitFor(
      () => {
        if (ws.readyState !== WebSocket.OPEN) return true;
        toggle();
        return ++flooded >= 100; // ~15 s: ~100 snapshots, ~20 MB, well over the 8 MiB budget.
      },
      'the flood',
      30_000,
      150,
    );
    clearInterval(blind);
    const rssAfter = workerdRssMiB();

    // Read what the gateway queued: the close (if any) is behind everything unread.
    ws.resume();
    await waitFor(() => closed ?? binaryBytes - readBeforePause >= 12 * MiB, 'the close or 12 MiB read', 30_000);
    const unreadMiB = ((binaryBytes - readBeforePause) / MiB).toFixed(1);
    expect(
      closed,
      `the gateway queued ${unreadMiB} MiB of snapshots for a client that read nothing and only acked blindly (workerd RSS ${rssBefore} → ${rssAfter} MiB)`,
    ).toEqual({ code: CloseCode.POLICY, reason: 'the client is not reading what the gateway sends' });
  });
});
