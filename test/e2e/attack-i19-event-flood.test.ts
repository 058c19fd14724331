/**
 * ATTACK (issue 19, the event feed): a session's client floods the port table — its 1000 ports'
 * visibility flipped in every HELLO, as fast as the control rate allows — while an event feed's
 * reader takes nothing. Each HELLO makes 1000 `port.visibility` events (about 200 KB); the feed
 * would queue them in the Session object without end. It must drop the feed instead, with a last
 * `feed.overflow` the reader finds once it reads again, holding at most its bound.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { lookup } from '../../client/net/lookup';
import { ackMessage, decode, encode, parseProbe, SUBPROTOCOL, type Visibility } from '../../protocol';
import { openFeed } from './event-feed';
import { afterTest, createSession, type Harness, startHarness, waitFor } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const PORTS = 1000;
/**
 * HELLOs sent: ~210 KB of events each, 16 MB in all. The feed's bound is 1 MiB; locally about 9.5 MB
 * more stand in the sockets between the Session object and a reader that does not read (measured).
 */
const HELLOS = 80;
const table = (visibility: Visibility) => Array.from({ length: PORTS }, (_, i) => ({ port: 20000 + i, visibility }));

describe('ATTACK: a client flooding port changes at a feed whose reader does not read', () => {
  it('the feed is dropped with feed.overflow, not queued without end', async () => {
    const { session, token } = await createSession(h);
    const ws = new WebSocket(`${h.gateway.url.replace('http', 'ws')}/connect`, [SUBPROTOCOL], {
      headers: { authorization: `Bearer ${token}` },
      lookup,
      perMessageDeflate: false,
    });
    afterTest(() => ws.terminate());
    let snapshots = 0;
    let closed = '';
    ws.on('close', (code, reason) => (closed = `${code} ${reason.toString()}`));
    ws.on('message', (data: Buffer, isBinary) => {
      // It reads what the gateway sends (its snapshots are large): only the feed's reader is slow.
      const probe = isBinary ? null : parseProbe(data.toString());
      if (probe !== null) ws.send(ackMessage(probe));
      if (isBinary && decode(new Uint8Array(data)).type === 'PORT_SNAPSHOT') snapshots += 1;
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.send(encode({ type: 'HELLO', stream: 0, body: { ports: table('private') } }));
    await waitFor(() => snapshots > 0, 'the first snapshot');

    const feed = await openFeed(h, session, token);
    const { data } = await feed.next('snapshot');
    expect(data.ports).toHaveLength(PORTS);
    feed.pause();

    // Under the control rate (control-rate.ts: 8 × (MAX_PORTS + 10) ports a second; a HELLO here costs
    // 2010): one HELLO, then its snapshot and 300 ms before the next, so the client is never closed for it.
    for (let i = 0; i < HELLOS; i++) {
      const before = snapshots;
      ws.send(encode({ type: 'HELLO', stream: 0, body: { ports: table(i % 2 ? 'private' : 'public') } }));
      await waitFor(() => snapshots > before || ws.readyState !== WebSocket.OPEN, `the snapshot of HELLO ${i}`);
      expect(closed, 'the flooding client must stay under its control rate').toBe('');
      await new Promise((resolve) => setTimeout(resolve, 300));
    }

    feed.resume();
    await waitFor(() => feed.ended, 'the end of the dropped feed', 60_000);
    const last = feed.events.at(-1);
    expect(last?.type, `the feed's last event, of ${feed.events.length}`).toBe('feed.overflow');
    const flips = feed.events.filter((e) => e.type === 'port.visibility').length;
    expect(flips).toBeLessThan(HELLOS * PORTS);
  }, 120_000);
});
