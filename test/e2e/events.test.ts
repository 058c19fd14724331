/**
 * The session's event feed for the operator's backend (`GET /api/sessions/<id>/events`,
 * docs/events.md), with the real client, real origins and the gateway in workerd: the events in
 * order, who may open a feed, and its bounds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_EVENT_FEEDS } from '../../protocol';
import { PortFilter } from '../../client/ports/filters';
import { openFeed } from './event-feed';
import { createSession, type Harness, request, startAgent, startHarness, waitFor } from './harness';
import { freePorts, nodeServer } from './servers';
import { aud, mintForTest } from './tokens';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

/** A client for `token`'s session that detects exactly `port` (tests alongside bind others); private by default. */
function watching(port: number, token: string, session: string) {
  return startAgent(h, [], {
    token,
    session,
    visibility: () => 'private',
    watch: { filter: new PortFilter({ only: [String(port)] }), intervalMs: 50 },
  });
}

async function ownerToken(session: string, token: string): Promise<string> {
  const reply = await request(h.gateway, `/api/sessions/${session}/owner-token`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });
  return (JSON.parse(reply.body.toString()) as { token: string }).token;
}

describe('the event feed', () => {
  it('tells the session token, in order with increasing ids: ports opening and closing with URLs, visibility, tunnel down and up', async () => {
    const { session, token } = await createSession(h);
    const [port] = (await freePorts(1)) as [number];
    const agent = await watching(port, token, session);
    const feed = await openFeed(h, session, token);
    expect(feed.status).toBe(200);
    expect(feed.headers['content-type']).toBe('text/event-stream');
    expect(feed.headers['cache-control']).toBe('no-store');
    const snapshot = await feed.next('snapshot');
    expect(snapshot).toMatchObject({ id: 1, data: { state: 'active', tunnel: 'connected', ports: [] } });

    // A server starts: port.opened with a URL that works through the gateway.
    const server = await nodeServer(port, '127.0.0.1', 'hello from the origin');
    const opened = await feed.next('port.opened');
    expect(opened.data).toMatchObject({ port, visibility: 'private', listening: true, process: 'node' });
    const owner = await ownerToken(session, token);
    await ownerChoice(session, owner, port, 'public');
    const visibility = await feed.next('port.visibility');
    expect(visibility.data).toMatchObject({ port, visibility: 'public', listening: true, url: opened.data.url });
    const page = await request(h.gateway, opened.data.url);
    expect(page.body.toString()).toBe('hello from the origin');

    // It stops: port.closed. The client stops: tunnel.down. It starts again (its server too): tunnel.up, port.opened.
    await server.stop();
    await feed.next('port.closed', 0, (e) => e.data.port === port);
    agent.agent.stop();
    await feed.next('tunnel.down');
    // (Both are stopped after the test, as every server and agent a test starts.)
    await nodeServer(port, '127.0.0.1', 'hello again');
    await watching(port, token, session);
    const up = await feed.next('tunnel.up');
    expect(Date.parse(up.data.connectedAt)).toBeGreaterThan(Date.now() - 60_000);
    const again = await feed.next('port.opened', feed.events.indexOf(up));
    expect(again.data).toMatchObject({ port, url: opened.data.url, visibility: 'public' });
    expect((await request(h.gateway, again.data.url)).body.toString()).toBe('hello again');

    expect(feed.events.map((e) => e.type)).toEqual([
      'snapshot',
      'port.opened',
      'port.visibility',
      'port.closed',
      'tunnel.down',
      'tunnel.up',
      'port.opened',
    ]);
    expect(feed.events.map((e) => e.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(feed.ended).toBe(false);
  });

  it('opens for the admin token and an owner token; its snapshot shows the ports and tunnel as they are', async () => {
    const { session, token } = await createSession(h);
    const [port] = (await freePorts(1)) as [number];
    await watching(port, token, session);
    await nodeServer(port, '127.0.0.1');
    const owner = await ownerToken(session, token);
    const admin = await openFeed(h, session, h.adminToken);
    // In its snapshot, or an event after it if the feed was quicker than the client.
    await waitFor(
      () => admin.events.some((e) => e.type === 'port.opened' || (e.type === 'snapshot' && e.data.ports.length > 0)),
      'the port in the admin feed',
    );
    for (const credential of [h.adminToken, owner]) {
      const feed = await openFeed(h, session, credential);
      expect(feed.status).toBe(200);
      const { data } = await feed.next('snapshot');
      expect(data).toMatchObject({ tunnel: 'connected', ports: [{ port, listening: true, visibility: 'private' }] });
    }
  });

  it('refuses no token (401), another session’s token (403), a stale owner token (401 signed_out) and a bad id (404)', async () => {
    const { session, token } = await createSession(h);
    const other = await createSession(h);
    const none = await openFeed(h, session, null);
    expect(none.status).toBe(401);
    await waitFor(() => none.ended, 'the refusal');
    expect(JSON.parse(none.body)).toMatchObject({ error: 'unauthorized', status: 401 });
    const wrong = await openFeed(h, session, other.token);
    expect(wrong.status).toBe(403);
    const stale = await ownerToken(session, token);
    const live = await openFeed(h, session, stale);
    await live.next('snapshot');
    const signout = await request(h.gateway, `/api/sessions/${session}/signout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stale}` },
    });
    expect(signout.status).toBe(200);
    // The feed the owner token opened ends with it; the token is refused from then on.
    expect((await live.next('feed.expired')).data).toEqual({ reason: 'signed_out' });
    await waitFor(() => live.ended, 'the end of the signed-out feed');
    const refused = await openFeed(h, session, stale);
    expect(refused.status).toBe(401);
    await waitFor(() => refused.ended, 'the refusal');
    expect(JSON.parse(refused.body)).toMatchObject({ error: 'signed_out' });
    expect((await openFeed(h, 'not-a-session', h.adminToken)).status).toBe(404);
  });

  it(`holds ${MAX_EVENT_FEEDS} feeds per session for its tokens: the next is 429 too_many_feeds with Retry-After, until one closes`, async () => {
    const { session, token } = await createSession(h);
    const feeds = [];
    for (let i = 0; i < MAX_EVENT_FEEDS; i++) {
      const feed = await openFeed(h, session, token);
      expect(feed.status).toBe(200);
      feeds.push(feed);
    }
    const over = await openFeed(h, session, token);
    expect(over.status).toBe(429);
    expect(over.headers['retry-after']).toBeDefined();
    await waitFor(() => over.ended, 'the refusal');
    expect(JSON.parse(over.body)).toMatchObject({ error: 'too_many_feeds', status: 429 });
    feeds[0]?.close();
    await waitFor(async () => {
      const next = await openFeed(h, session, token);
      next.close();
      return next.status === 200;
    }, 'a place for a feed once one closed');
  });

  it('a feed opened with a session token ends with feed.expired when the token expires', async () => {
    const { session } = await createSession(h);
    const short = await mintForTest(h.tokenSecret, { aud: aud.session, sub: session, expiresIn: 2 });
    const feed = await openFeed(h, session, short);
    expect(feed.status).toBe(200);
    await feed.next('snapshot');
    expect((await feed.next('feed.expired')).data).toEqual({ reason: 'expired' });
    await waitFor(() => feed.ended, 'the end of the expired feed');
  });
});

async function ownerChoice(session: string, owner: string, port: number, visibility: string): Promise<void> {
  const reply = await request(h.gateway, `/api/sessions/${session}/ports/${port}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
    body: JSON.stringify({ visibility }),
  });
  expect(reply.status).toBe(200);
}
