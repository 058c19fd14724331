/**
 * Limits that answer clearly instead of queueing without end: over MAX_STREAMS
 * a request waits for a stream, fairly per viewer (session/viewers.ts), and is
 * refused (503, Retry-After) only when there is no room to wait or the wait
 * expired, saying which.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiStatus } from '../../protocol';
import { type Harness, type Reply, request, startAgent, startHarness, startOrigin, waitFor } from './harness';

let h: Harness;
beforeAll(async () => {
  // One viewer may take the whole session here (the per-viewer share is viewer-share.test.ts's).
  h = await startHarness({
    MAX_STREAMS: '4',
    VIEWER_MAX_STREAMS: '4',
    QUEUE_LENGTH: '4',
    VIEWER_QUEUE_LENGTH: '3',
    ORIGIN_TIMEOUT: '30',
    QUEUE_TIMEOUT: '30',
  });
});
afterAll(async () => {
  await h?.stop();
});

/** An origin that holds every request until released, and a client exposing it with its status. */
async function holdingOrigin(harness: Harness) {
  const held: { path: string; release: () => void }[] = [];
  const arrived: string[] = [];
  const origin = await startOrigin((req, res) => {
    arrived.push(req.url ?? '');
    held.push({ path: req.url ?? '', release: () => res.end('done') });
  });
  const a = await startAgent(harness, [origin.port]);
  const owner = (await a.agent.api.ownerToken()).token;
  const status = async () => {
    const reply = await request(harness.gateway, `/api/sessions/${a.session}/status`, {
      headers: { authorization: `Bearer ${owner}` },
    });
    return JSON.parse(reply.body.toString()) as ApiStatus;
  };
  const url = await a.agent.url(origin.port);
  const get = (path: string, from = '127.0.0.1', headers: Record<string, string> = {}) =>
    request(harness.gateway, `${url}${path}`, { localAddress: from, headers });
  const waiting = (n: number) => waitFor(async () => (await status()).waiting === n, `${n} waiting`, 5_000);
  return { held, arrived, get, waiting };
}

describe('limits', () => {
  it('over the session limit a request waits (it does not reach the origin) and is served once a stream frees', async () => {
    const s = await holdingOrigin(h);
    const inFlight = Array.from({ length: 4 }, (_, i) => s.get(`hold${i}`));
    await waitFor(() => s.arrived.length >= 4, 'all four requests at the origin', 5_000);

    // From another viewer (another source address): the session itself is full, so it waits.
    const queued = s.get('queued', '127.0.0.2');
    await s.waiting(1);
    expect(s.arrived).toHaveLength(4);

    s.held.shift()?.release();
    await waitFor(() => s.arrived.includes('/queued'), 'the queued request at the origin', 5_000);
    for (const hold of s.held.splice(0)) hold.release();
    for (const reply of await Promise.all([...inFlight, queued])) {
      expect(reply.status).toBe(200);
      expect(reply.body.toString()).toBe('done');
    }
  });

  it("fair: a viewer's request goes before a flooder's queued ones; full queues refuse and say so", async () => {
    const s = await holdingOrigin(h);
    const flood: Promise<Reply>[] = [];
    for (let i = 0; i < 4; i++) flood.push(s.get(`hold${i}`));
    await waitFor(() => s.arrived.length >= 4, 'the flooder holds every stream', 5_000);
    for (let i = 0; i < 3; i++) flood.push(s.get(`flood${i}`));
    await s.waiting(3);
    const honest = s.get('honest', '127.0.0.2');
    await s.waiting(4);

    // The flooder's own line is full (VIEWER_QUEUE_LENGTH 3): refused at once; it holds its whole share.
    const own = await s.get('flood3');
    expect([own.status, own.headers['retry-after'], own.headers['x-porthole-error']]).toEqual([
      429,
      '1',
      'viewer_stream_limit',
    ]);
    expect(own.body.toString()).toContain('VIEWER_QUEUE_LENGTH');

    // A stream frees: the honest viewer, who holds none, goes before the flooder's three.
    s.held.shift()?.release();
    await waitFor(() => s.arrived.length === 5, 'the next request at the origin', 5_000);
    expect(s.arrived[4]).toBe('/honest');

    // The session's queue is full (QUEUE_LENGTH 4) when another viewer comes: the flooder's newest gives way.
    const third = s.get('third', '127.0.0.3');
    await s.waiting(4);
    const fourth = s.get('fourth', '127.0.0.4');
    const dropped = await flood[6];
    // (It holds 3 streams now, under its share of 4: the session's limit is what stops it.)
    expect([dropped?.status, dropped?.headers['retry-after']]).toEqual([503, '1']);
    expect(dropped?.body.toString()).toContain('QUEUE_LENGTH');
    for (;;) {
      const next = s.held.shift();
      if (next) next.release();
      else if (s.arrived.length >= 9) break;
      else await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (const reply of await Promise.all([honest, third, fourth, ...flood.slice(0, 6)]))
      expect(reply.status).toBe(200);
  });

  it('a wait that expires (QUEUE_TIMEOUT) is refused with 503 and Retry-After, saying it waited', async () => {
    const short = await startHarness({ MAX_STREAMS: '1', QUEUE_TIMEOUT: '1' });
    const s = await holdingOrigin(short);
    const first = s.get('hold');
    await waitFor(() => s.arrived.length === 1, 'the first request at the origin', 5_000);
    // Another viewer, under its own share: the session's limit is what stops it (503).
    const refused = await s.get('late', '127.0.0.2', { accept: 'text/html' });
    expect([refused.status, refused.headers['retry-after'], refused.headers['x-porthole-error']]).toEqual([
      503,
      '1',
      'too_many_streams',
    ]);
    expect(refused.body.toString()).toMatch(/waited 1(\.\d)? s/);
    expect(s.arrived).toEqual(['/hold']);
    s.held.shift()?.release();
    expect((await first).status).toBe(200);
  });
});
