/**
 * ATTACK (issue 19, the event feed's bound): the session's VM is untrusted and holds its session
 * token (and mints owner tokens). It opened MAX_EVENT_FEEDS feeds of its own session and kept them
 * open, and the operator's backend, with the admin token, was refused (429 `too_many_feeds`) for as
 * long as the VM liked: the VM chose whether its operator sees its ports, tunnel and state change.
 * The operator's feeds have their own MAX_EVENT_FEEDS places, which no token of the session can take.
 *
 * And: the Worker remembers the feeds it opened (by request id, so the local front's "reader left"
 * frees a place at once) in a bounded cache. Refused opens were remembered too, so a token holder
 * asking over and over pushed the operator's live feeds out of it: an operator's reader that then
 * left kept its place until its feed overflowed, and the operator's next feed was refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_EVENT_FEEDS } from '../../protocol';
import { openFeed } from './event-feed';
import { createSession, type Harness, request, startHarness, waitFor } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

describe("the session's tokens cannot take the operator's feeds", () => {
  it("with every place open to the session's tokens held, the admin token still opens its feeds", async () => {
    const { session, token } = await createSession(h);
    const minted = await request(h.gateway, `/api/sessions/${session}/owner-token`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    const owner = (JSON.parse(minted.body.toString()) as { token: string }).token;
    for (let i = 0; i < MAX_EVENT_FEEDS; i++) {
      expect((await openFeed(h, session, i % 2 === 0 ? token : owner)).status).toBe(200);
    }
    // The session's tokens are at their bound…
    expect((await openFeed(h, session, token)).status).toBe(429);
    expect((await openFeed(h, session, owner)).status).toBe(429);
    // …and the operator is not.
    for (let i = 0; i < MAX_EVENT_FEEDS; i++) {
      const feed = await openFeed(h, session, h.adminToken);
      expect(feed.status).toBe(200);
      expect((await feed.next('snapshot')).data).toMatchObject({ state: 'active' });
    }
    expect((await openFeed(h, session, h.adminToken)).status).toBe(429);
  });

  it("refused opens, however many, do not make a live feed's leaving reader keep its place", async () => {
    const { session } = await createSession(h);
    const feeds = [];
    for (let i = 0; i < MAX_EVENT_FEEDS; i++) {
      const feed = await openFeed(h, session, h.adminToken);
      expect(feed.status).toBe(200);
      feeds.push(feed);
    }
    // More refusals than the Worker's cache of opened feeds holds (1024), 8 at a time.
    for (let round = 0; round < 1100 / 8; round++) {
      const refused = await Promise.all(Array.from({ length: 8 }, () => openFeed(h, session, h.adminToken)));
      for (const feed of refused) expect(feed.status).toBe(429);
    }
    feeds[0]?.close();
    await waitFor(async () => {
      const next = await openFeed(h, session, h.adminToken);
      next.close();
      return next.status === 200;
    }, "the place of the operator's feed whose reader left");
  });
});
