/**
 * ATTACK (issue 17): requests with paths of a few KiB (a viewer's, or an app's long URLs) make the
 * newest 500 summaries, the backlog the dashboard's follow asks for, bigger than the 1 MiB a
 * follower may leave unread. The client queued the backlog at once against that bound and cut off
 * every follow at its start, so the owner's requests panel never went live. Now the backlog is
 * sent as the owner reads it, and the follow goes on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startAgent, startHarness, waitFor } from './harness';
import { follow, record } from './requests-log';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

describe('ATTACK: a follow whose backlog is over 1 MiB', () => {
  it('is sent whole through the gateway, then goes live', async () => {
    const a = await startAgent(h, []);
    const token = (await a.agent.api.ownerToken()).token;
    for (let i = 0; i < 500; i++) record(a.agent, { port: 3000, path: `/${'p'.repeat(4000)}/${i}`, status: 200 });
    const backlog = a.agent.requests.list({}, 500).reduce((sum, s) => sum + JSON.stringify(s).length + 1, 0);
    expect(backlog).toBeGreaterThan(2 * 1024 * 1024);

    const f = follow(h, a.session, token, 'follow=1&limit=500');
    expect((await f.head).statusCode).toBe(200);
    await waitFor(() => f.bytes() >= backlog || f.ended(), 'the backlog read, or the follow cut off');
    expect(f.ended()).toBe(false);
    expect(f.bytes()).toBe(backlog);

    record(a.agent, { port: 3000, path: '/live', status: 201 });
    await waitFor(() => f.bytes() > backlog || f.ended(), 'a live line after the backlog');
    expect(f.ended()).toBe(false);
  });
});
