/**
 * ATTACK (the request log through the gateway): the Worker remembers the log reads it started (by
 * request id, so the local front's "owner left" ends a read at once) in a bounded cache. Refused
 * reads were remembered too, so any owner-token holder (the VM mints them) asking over and over
 * pushed the live follows out of it: a follow whose owner then left kept its place among the
 * session's 4 until it ended by itself (10 minutes), and the owner's next follow was refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startAgent, startHarness, waitFor } from './harness';
import { follow, ownerGet, streamsOpen } from './requests-log';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

describe('refused log reads do not push out live ones', () => {
  it('after more refusals than the cache holds, a follow whose owner left frees its place at once', async () => {
    const a = await startAgent(h, []);
    const token = (await a.agent.api.ownerToken()).token;
    const follows = [1, 2, 3, 4].map(() => follow(h, a.session, token));
    for (const f of follows) expect((await f.head).statusCode).toBe(200);
    // More refusals than the Worker's cache of started reads holds (1024), 8 at a time.
    for (let round = 0; round < 1100 / 8; round++) {
      const refused = await Promise.all(
        Array.from({ length: 8 }, () => ownerGet(h, a.session, '/requests?follow=1', token)),
      );
      for (const reply of refused) expect(reply.status).toBe(429);
    }
    follows[0]?.close();
    await waitFor(
      async () => (await streamsOpen(h, a.session, token)) === 3,
      'the place of the follow whose owner left',
    );
    const again = follow(h, a.session, token);
    expect((await again.head).statusCode).toBe(200);
  });
});
