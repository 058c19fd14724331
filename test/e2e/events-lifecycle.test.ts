/**
 * The event feed tells the operator the session's lifecycle (docs/events.md, docs/lifecycle.md):
 * `session.asleep` and `session.awake` in order with the other events, the snapshot's real state,
 * and `session.ended` as the feed's last event when the session is ended, after which a new feed
 * is refused with 410 `session_ended`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openFeed } from './event-feed';
import { createSession, type Harness, request, startHarness, waitFor } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

function lifecycle(session: string, method: 'PATCH' | 'DELETE', body?: unknown) {
  return request(h.gateway, `/api/sessions/${session}`, {
    method,
    headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': 'application/json' },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

describe('the event feed and the session lifecycle', () => {
  it('says asleep and awake in order, shows the state in a new snapshot, and ends with session.ended', async () => {
    const { session, token } = await createSession(h);
    const feed = await openFeed(h, session, token);
    expect((await feed.next('snapshot')).data.state).toBe('active');

    expect((await lifecycle(session, 'PATCH', { state: 'asleep' })).status).toBe(200);
    const asleep = await feed.next('session.asleep');
    const late = await openFeed(h, session, h.adminToken);
    expect((await late.next('snapshot')).data.state).toBe('asleep');
    expect((await lifecycle(session, 'PATCH', { state: 'awake' })).status).toBe(200);
    const awake = await feed.next('session.awake');
    expect(awake.id).toBeGreaterThan(asleep.id);
    await late.next('session.awake');

    expect((await lifecycle(session, 'DELETE')).status).toBe(200);
    const ended = await feed.next('session.ended');
    expect(ended.data).toEqual({ reason: 'ended' });
    expect(ended.id).toBeGreaterThan(awake.id);
    await waitFor(() => feed.ended && late.ended, 'both feeds to end');
    expect(feed.events.at(-1)?.type).toBe('session.ended');
    expect(late.events.at(-1)?.type).toBe('session.ended');

    const after = await openFeed(h, session, h.adminToken);
    await waitFor(() => after.ended, 'the refusal to end');
    expect(after.status).toBe(410);
    expect(JSON.parse(after.body)).toMatchObject({ error: 'session_ended' });
  });
});
