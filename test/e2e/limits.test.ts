/** Limits that answer clearly instead of queueing without end. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, request, startAgent, startHarness, startOrigin, waitFor } from './harness';

let h: Harness;
beforeAll(async () => {
  // One viewer may take the whole session here (the per-viewer share is viewer-share.test.ts's).
  h = await startHarness({ MAX_STREAMS: '4', VIEWER_MAX_STREAMS: '4', ORIGIN_TIMEOUT: '30' });
});
afterAll(async () => {
  await h?.stop();
});

describe('limits', () => {
  it('more requests in flight than the session limit: 503 with Retry-After, and service once they finish', async () => {
    const held: (() => void)[] = [];
    let arrived = 0;
    const origin = await startOrigin((_req, res) => {
      arrived++;
      held.push(() => res.end('done'));
    });
    const a = await startAgent(h, [origin.port]);
    const url = await a.agent.url(origin.port);
    const inFlight = Array.from({ length: 4 }, () => request(h.gateway, url));
    // Wait until all four are at the origin (and so hold their streams).
    await waitFor(() => arrived >= 4, 'all four requests at the origin', 5_000);
    expect(arrived).toBe(4);

    // From another viewer (another source address): the session itself is full.
    const refused = await request(h.gateway, url, { headers: { accept: 'text/html' }, localAddress: '127.0.0.2' });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers['x-porthole-error']).toBe('too_many_streams');
    expect(refused.body.toString()).toContain('limit');
    expect(arrived).toBe(4); // The refused one never reached the origin.

    for (const release of held.splice(0)) release();
    for (const reply of await Promise.all(inFlight)) expect(reply.body.toString()).toBe('done');
    const again = request(h.gateway, url);
    const release = await waitFor(() => held.shift(), 'the next request at the origin', 5_000);
    release();
    expect((await again).status).toBe(200);
  });
});
