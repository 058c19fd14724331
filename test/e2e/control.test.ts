/**
 * Client control traffic, as a hostile client sends it (issue 13 item 3): a flood of PORTS frames
 * costs a few snapshots, not one each, and leaves other sessions served; a table over MAX_PORTS is
 * a final refusal (close code 4001) that the real client reports and does not retry.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Agent } from '../../client/agent';
import type { AgentEvent } from '../../client/events';
import { lookup } from '../../client/net/lookup';
import { TunnelTooManyPortsError } from '../../client/tunnel/errors';
import { CloseCode, decode, encode, type Frame, type PortInfo, SUBPROTOCOL } from '../../protocol';
import {
  afterTest,
  createSession,
  type Harness,
  request,
  startAgent,
  startHarness,
  startOrigin,
  waitFor,
} from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ MAX_PORTS: '1000' });
});
afterAll(async () => {
  await h?.stop();
});

/** A raw tunnel for a new session (or the session of `token`): the frames it received, and how it closed. */
async function rawTunnel(token?: string): Promise<{
  ws: WebSocket;
  send(frame: Frame): void;
  snapshots: { ports: PortInfo[] }[];
  closed: Promise<{ code: number; reason: string }>;
}> {
  token ??= (await createSession(h)).token;
  const ws = new WebSocket(`${h.gateway.url.replace('http', 'ws')}/connect`, [SUBPROTOCOL], {
    headers: { authorization: `Bearer ${token}` },
    lookup,
  });
  afterTest(() => ws.terminate());
  const snapshots: { ports: PortInfo[] }[] = [];
  ws.on('message', (data, isBinary) => {
    if (!isBinary) return;
    const frame = decode(new Uint8Array(data as Buffer));
    if (frame.type === 'PORT_SNAPSHOT') snapshots.push({ ports: frame.body.ports });
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return { ws, send: (frame) => ws.send(encode(frame)), snapshots, closed };
}

const range = (from: number, count: number): PortInfo[] =>
  Array.from({ length: count }, (_, i) => ({ port: from + i }));

describe('client control traffic', () => {
  it('300 tiny PORTS frames cost a handful of snapshots, and another session is served meanwhile', async () => {
    const origin = await startOrigin((_req, res) => res.end('other'));
    const other = await startAgent(h, [origin.port]);
    const otherUrl = await other.agent.url(origin.port);
    const raw = await rawTunnel();
    // A small table: with a large one, these 200 table rewrites at once are over the control rate (the
    // session's bucket counts ports written: control-rate.ts) and the client is closed instead.
    raw.send({ type: 'HELLO', stream: 0, body: { ports: range(20000, 10) } });
    await waitFor(() => raw.snapshots.length === 1, 'the HELLO snapshot');
    for (let i = 0; i < 300; i++) {
      const change =
        i % 3 === 0
          ? { opened: [], closed: [] }
          : i % 3 === 1
            ? { opened: [{ port: 30000 }], closed: [] }
            : { opened: [], closed: [30000] };
      raw.send({ type: 'PORTS', stream: 0, body: change });
    }
    raw.send({ type: 'PORTS', stream: 0, body: { opened: [{ port: 30001 }], closed: [] } });
    const reply = await request(h.gateway, otherUrl);
    expect(reply.body.toString()).toBe('other');
    // The snapshot after the last change always comes; the count is of all sent until then.
    await waitFor(() => raw.snapshots.at(-1)?.ports.some((p) => p.port === 30001), 'the last snapshot', 20_000);
    const count = raw.snapshots.length;
    console.log(`snapshots for 301 PORTS frames: ${count}`);
    expect(count).toBeLessThanOrEqual(10);
    expect(raw.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('a no-op PORTS frame sends no snapshot', async () => {
    const raw = await rawTunnel();
    raw.send({ type: 'HELLO', stream: 0, body: { ports: [{ port: 3000 }] } });
    await waitFor(() => raw.snapshots.length === 1, 'the HELLO snapshot');
    raw.send({ type: 'PORTS', stream: 0, body: { opened: [], closed: [] } });
    raw.send({ type: 'PORTS', stream: 0, body: { opened: [{ port: 3000 }], closed: [4000] } });
    // A real change after them: its snapshot is the next one, so none came for the no-ops.
    raw.send({ type: 'PORTS', stream: 0, body: { opened: [{ port: 3001 }], closed: [] } });
    await waitFor(() => raw.snapshots.length >= 2, 'the snapshot for the change');
    expect(raw.snapshots.map((s) => s.ports.map((p) => p.port))).toEqual([[3000], [3000, 3001]]);
  });

  it('PORTS that would take the table over MAX_PORTS close the tunnel with 4001', async () => {
    const raw = await rawTunnel();
    raw.send({ type: 'HELLO', stream: 0, body: { ports: range(20000, 1000) } });
    await waitFor(() => raw.snapshots.length === 1, 'the HELLO snapshot');
    raw.send({ type: 'PORTS', stream: 0, body: { opened: [{ port: 40000 }], closed: [] } });
    const closed = await raw.closed;
    expect(closed.code).toBe(CloseCode.TOO_MANY_PORTS);
    expect(closed.reason).toMatch(/1001 ports announced; a session holds at most 1000 \(MAX_PORTS\)/);
  });

  it('a client sending control frames far over the rate is closed with 1008 and a reason', async () => {
    const raw = await rawTunnel();
    raw.send({ type: 'HELLO', stream: 0, body: { ports: [{ port: 3000 }] } });
    // 10 ports each (CONTROL_FRAME_COST): far past the burst of 8040 within far less than the time that would refill it.
    for (let i = 0; i < 10_000; i++) raw.send({ type: 'PORTS', stream: 0, body: { opened: [], closed: [] } });
    const closed = await raw.closed;
    expect(closed.code).toBe(CloseCode.POLICY);
    expect(closed.reason).toBe('control traffic over 8080 ports a second (burst 8040)');
  });

  it("the control rate is the session's: a client closed over it gets no fresh burst by reconnecting", async () => {
    const { token } = await createSession(h);
    const tables = [range(20000, 1000), range(30000, 1000)];
    const overRate = { code: CloseCode.POLICY, reason: 'control traffic over 8080 ports a second (burst 8040)' };
    const first = await rawTunnel(token);
    // Each rewrites the whole table: 2,010 ports of the 8,040 burst.
    for (let i = 0; i < 20; i++) first.send({ type: 'HELLO', stream: 0, body: { ports: tables[i % 2] as PortInfo[] } });
    expect(await first.closed).toEqual(overRate);
    // Four such HELLOs fit a full bucket (a bucket per tunnel let them through); right after the close it is empty.
    const second = await rawTunnel(token);
    for (let i = 0; i < 4; i++) second.send({ type: 'HELLO', stream: 0, body: { ports: tables[i % 2] as PortInfo[] } });
    let closed: { code: number; reason: string } | undefined;
    void second.closed.then((c) => (closed = c));
    expect(await waitFor(() => closed, 'the close over the rate', 5000)).toEqual(overRate);
  });

  it('a client whose table is over MAX_PORTS stops, reporting why, and does not reconnect', async () => {
    const { token } = await createSession(h);
    const events: AgentEvent[] = [];
    const agent = new Agent({
      gateway: h.gateway.url,
      token,
      ports: range(20000, 1001).map((p) => p.port),
      backoff: { baseMs: 50, capMs: 500 },
      onEvent: (e) => events.push(e),
    });
    afterTest(() => agent.stop());
    const ended = await agent.done();
    expect(ended).toBeInstanceOf(TunnelTooManyPortsError);
    expect(ended?.message).toMatch(/at most 1000 \(MAX_PORTS\)/);
    const downs = events.filter((e) => e.event === 'tunnel.down');
    expect(downs).toEqual([expect.objectContaining({ retryInMs: null })]);
  });
  it('a client that stops reading is closed with 1008 and a reason, and another session is served', async () => {
    const origin = await startOrigin((_req, res) => res.end('other'));
    const other = await startAgent(h, [origin.port]);
    const otherUrl = await other.agent.url(origin.port);
    const raw = await rawTunnel();
    // Long process names make each snapshot ~200 KB (under MAX_JSON): far more than the client reads.
    const ports = range(20000, 900).map((p) => ({ ...p, process: 'x'.repeat(100) }));
    raw.send({ type: 'HELLO', stream: 0, body: { ports } });
    await waitFor(() => raw.snapshots.length === 1, 'the HELLO snapshot');
    raw.ws.pause(); // From here on it reads nothing, so answers no probe.
    // One change per 150 ms (the real watcher's fastest scan), under the control rate; each earns a snapshot.
    let sent = 0;
    const flood = setInterval(() => {
      if (raw.ws.readyState !== WebSocket.OPEN || sent >= 2000) return void clearInterval(flood);
      const change = sent++ % 2 === 0 ? { opened: [{ port: 30000 }], closed: [] } : { opened: [], closed: [30000] };
      raw.send({ type: 'PORTS', stream: 0, body: change });
    }, 150);
    afterTest(() => clearInterval(flood));
    expect((await request(h.gateway, otherUrl)).body.toString()).toBe('other');
    raw.ws.resume(); // The close frame is behind everything unread.
    let closed: { code: number; reason: string } | undefined;
    void raw.closed.then((c) => (closed = c));
    // 8 MiB of ~200 KB snapshots at 6.7 per second: about 6 s.
    await waitFor(() => closed, 'the close of the non-reading client', 20_000);
    expect(closed).toEqual({ code: CloseCode.POLICY, reason: 'the client is not reading what the gateway sends' });
    console.log(`PORTS frames sent before the non-reading client was closed: ${sent}`);
    expect((await request(h.gateway, otherUrl)).body.toString()).toBe('other');
  });

  it('the real client answers read probes: 9.6 MiB of request heads leave its tunnel up', async () => {
    const origin = await startOrigin((_req, res) => res.end('ok'));
    const running = await startAgent(h, [origin.port]);
    const url = await running.agent.url(origin.port);
    // Each OPEN head carries a 12 KiB header (Node's origin takes 16 KiB): 800 are over the 8 MiB unread budget.
    const big = { 'x-padding': 'p'.repeat(12 * 1024) };
    for (let batch = 0; batch < 80; batch++) {
      const replies = await Promise.all(Array.from({ length: 10 }, () => request(h.gateway, url, { headers: big })));
      for (const reply of replies) expect(reply.status).toBe(200);
    }
    expect(running.events.filter((e) => e.event === 'tunnel.down')).toEqual([]);
  });
});
