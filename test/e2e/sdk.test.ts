/**
 * The operator SDK (porthole/sdk) against a live gateway in workerd with the real client: a
 * platform's backend creates a session with PortholeAdmin, the client in its "VM" connects with the
 * session token, and the backend drives the session with PortholeSession, or as the admin
 * (PortholeAdmin.session(id)); every refusal is a PortholeApiError with the gateway's status and code.
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { PortholeAdmin, PortholeApiError, type PortholeEvent, PortholeSession } from '../../client/sdk';
import { freePort, type Harness, request, startAgent, startHarness, startOrigin } from './harness';

let h: Harness;
let admin: PortholeAdmin;

beforeAll(async () => {
  h = await startHarness();
  admin = new PortholeAdmin({ gateway: h.gateway.url, adminToken: h.adminToken });
});
afterAll(async () => {
  await h?.stop();
});

/** The PortholeApiError `promise` rejects with (fails the test when it resolves or rejects with anything else). */
async function refusal(promise: Promise<unknown>): Promise<PortholeApiError> {
  const error = await promise.then(
    () => new Error('resolved'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PortholeApiError);
  return error as PortholeApiError;
}

/** A new session with a connected client serving one origin ("app"); ports start private. */
async function connected() {
  const created = await admin.createSession({ ttlSeconds: 3600 });
  const origin = await startOrigin((_req, res) => res.end('app'));
  const client = await startAgent(h, [origin.port], {
    token: created.token,
    session: created.session,
    visibility: () => undefined,
  });
  await client.agent.url(origin.port);
  return { created, origin, client };
}

/** The next event of `type` from `feed` (others are skipped), within `ms`. */
async function nextOf<T extends PortholeEvent['type']>(
  feed: AsyncIterator<PortholeEvent>,
  type: T,
  ms = 15_000,
): Promise<Extract<PortholeEvent, { type: T }>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const late = sleep(Math.max(0, deadline - Date.now()), 'late' as const);
    const next = await Promise.race([feed.next(), late]);
    if (next === 'late') throw new Error(`no ${type} event within ${ms} ms`);
    if (next.done) throw new Error(`the feed ended before a ${type} event`);
    if (next.value.type === type) return next.value as Extract<PortholeEvent, { type: T }>;
  }
}

describe('PortholeAdmin and PortholeSession', () => {
  it('creates a session, and drives it with the session token: ports, visibility, links, login and dashboard links', async () => {
    const { created, origin } = await connected();
    expect(created.session).toMatch(/^[a-z2-7]{16}$/);
    expect(created.urlTemplate).toContain(created.session);
    const session = new PortholeSession({ gateway: h.gateway.url, sessionToken: created.token });
    expect(session.session).toBe(created.session);

    expect((await session.status()).tunnel).toBe('connected');
    const [port] = await session.ports();
    expect(port).toMatchObject({ port: origin.port, visibility: 'private', listening: true });
    const url = port?.url as string;
    expect((await request(h.gateway, url)).status).not.toBe(200); // Private: not for a stranger.

    const opened = await session.setVisibility(origin.port, 'public');
    expect(opened).toMatchObject({ port: origin.port, visibility: 'public', url });
    const served = await request(h.gateway, url);
    expect([served.status, served.body.toString()]).toEqual([200, 'app']);
    await session.setVisibility(origin.port, 'link');

    const link = await session.createLink(origin.port, { ttlSeconds: 600, label: 'for Sam' });
    expect(link).toMatchObject({ port: origin.port, label: 'for Sam' });
    expect(Date.parse(link.expiresAt) - Date.now()).toBeLessThanOrEqual(600_000);
    expect((await session.links()).map((l) => l.id)).toEqual([link.id]);
    const revoked = await session.revokeLink(link.id);
    expect(revoked).toMatchObject({ id: link.id, revoked: true });
    expect(await session.links()).toEqual([]);

    const login = await session.loginLink(origin.port, { ttlSeconds: 120 });
    expect(login.port).toBe(origin.port);
    expect(login.url).toContain('porthole_login=');
    const dashboard = await session.dashboardLink();
    expect(new URL(dashboard.url).pathname).toBe(`/s/${created.session}`);
  });

  it('acts as any session with the admin token: an owner token whose grant ends with the session token', async () => {
    const { created, origin, client } = await connected();
    const asAdmin = admin.session(created.session);
    expect((await asAdmin.ports()).map((p) => p.port)).toEqual([origin.port]);
    expect((await asAdmin.setVisibility(origin.port, 'public')).visibility).toBe('public');
    // The client's own view changed too: one session, whoever drives it.
    const mine = new PortholeSession({ gateway: h.gateway.url, sessionToken: created.token });
    expect((await mine.ports())[0]?.visibility).toBe('public');
    const sessionEnds = decodeJwt(created.token).exp as number;
    const owner = await asAdmin.ownerToken({ ttlSeconds: 7 * 24 * 3600 });
    const claims = decodeJwt(owner.token);
    expect(claims).toMatchObject({ sub: created.session, until: sessionEnds });
    expect(claims.exp).toBeLessThanOrEqual(sessionEnds); // Asked for a week: capped by the session's hour.
    expect(Date.parse(owner.expiresAt)).toBeLessThanOrEqual(sessionEnds * 1000);

    // A short session: the admin's owner token ends with it too.
    const short = await admin.createSession({ ttlSeconds: 120 });
    const shortOwner = decodeJwt((await admin.session(short.session).ownerToken()).token);
    expect(shortOwner.exp).toBeLessThanOrEqual(decodeJwt(short.token).exp as number);
    expect(shortOwner.until).toBe(decodeJwt(short.token).exp);

    // The admin's end: its client is told the operator ended it (a session token's end says so instead).
    await asAdmin.end();
    expect((await client.agent.done())?.message).toBe('the session has ended (ended by the operator)');
  });

  it('sign out everywhere: the handle trades for a new owner token and carries on; other owner tokens are refused', async () => {
    const { created } = await connected();
    const session = new PortholeSession({ gateway: h.gateway.url, sessionToken: created.token });
    const other = (await session.ownerToken()).token;
    await session.ports(); // The handle holds its own owner token now…
    const out = await session.signOut();
    expect(out).toMatchObject({ session: created.session, signedOut: true, epoch: 1 });
    expect(await session.ports()).toHaveLength(1); // …and trades for a new one after the sign-out.
    const stale = await request(h.gateway, `/api/sessions/${created.session}/ports`, {
      headers: { authorization: `Bearer ${other}` },
    });
    expect([stale.status, JSON.parse(stale.body.toString()).error]).toEqual([401, 'signed_out']);
    // Another handle signed out this one's token: it retries once with a fresh one.
    const asAdmin = admin.session(created.session);
    await asAdmin.ports();
    await session.signOut();
    expect(await asAdmin.ports()).toHaveLength(1);
  });

  it('events(): the live feed as typed events in order, with the session token or as the admin; abort ends it', async () => {
    const created = await admin.createSession({ ttlSeconds: 3600 });
    const session = new PortholeSession({ gateway: h.gateway.url, sessionToken: created.token });
    const abort = new AbortController();
    const feed = session.events({ signal: abort.signal })[Symbol.asyncIterator]();
    const snapshot = await nextOf(feed, 'snapshot');
    expect(snapshot).toEqual({ type: 'snapshot', id: 1, data: { state: 'active', tunnel: 'offline', ports: [] } });

    const origin = await startOrigin((_req, res) => res.end('app'));
    await startAgent(h, [origin.port], { token: created.token, session: created.session, visibility: () => undefined });
    const up = await nextOf(feed, 'tunnel.up');
    const opened = await nextOf(feed, 'port.opened');
    expect(opened.data).toMatchObject({ port: origin.port, visibility: 'private', listening: true });
    await session.setVisibility(origin.port, 'public');
    const changed = await nextOf(feed, 'port.visibility');
    expect(changed.data).toMatchObject({ port: origin.port, visibility: 'public', url: opened.data.url });
    expect(up.id < opened.id && opened.id < changed.id).toBe(true);
    const served = await request(h.gateway, opened.data.url);
    expect([served.status, served.body.toString()]).toEqual([200, 'app']);

    // The operator's view of the same session, with the admin token.
    const asAdmin = admin.session(created.session).events()[Symbol.asyncIterator]();
    const now = await nextOf(asAdmin, 'snapshot');
    expect(now.data).toMatchObject({ tunnel: 'connected', ports: [{ port: origin.port, visibility: 'public' }] });
    await asAdmin.return?.(); // Leaving the loop closes the connection.

    abort.abort();
    expect(await feed.next()).toEqual({ done: true, value: undefined });

    const wrong = new PortholeAdmin({ gateway: h.gateway.url, adminToken: 'wrong' }).session(created.session);
    const refused = await refusal(wrong.events()[Symbol.asyncIterator]().next());
    expect(refused).toMatchObject({ status: 401, code: 'unauthorized' });
  });

  it('the lifecycle: info, asleep and awake, end (the client stops, the feed says so), then 410 session_ended', async () => {
    const { created, client } = await connected();
    const session = new PortholeSession({ gateway: h.gateway.url, sessionToken: created.token });
    const info = await session.info();
    expect(info).toMatchObject({ session: created.session, state: 'active', tunnel: 'connected', ports: 1 });
    expect(await admin.getSession(created.session)).toEqual(info);
    const feed = session.events()[Symbol.asyncIterator]();
    await nextOf(feed, 'snapshot');

    expect(await admin.setSessionState(created.session, 'asleep')).toMatchObject({ state: 'asleep' });
    await nextOf(feed, 'session.asleep');
    expect((await session.info()).state).toBe('asleep');
    expect(await admin.setSessionState(created.session, 'awake')).toMatchObject({ state: 'active' });
    await nextOf(feed, 'session.awake');

    const ended = await session.end();
    expect(ended).toMatchObject({ session: created.session, state: 'ended' });
    expect((await nextOf(feed, 'session.ended')).data).toEqual({ reason: 'ended' });
    expect(await feed.next()).toEqual({ done: true, value: undefined }); // The feed ends after it.
    await client.event((e) => e.event === 'tunnel.down' || e.event === 'error', 'the client to stop');
    // Each refusal is caught as it is made (awaiting them one by one left the later ones unhandled meanwhile).
    const calls = [session.info(), session.end(), admin.endSession(created.session), session.ports()].map(refusal);
    for (const error of await Promise.all(calls)) {
      expect(error).toMatchObject({ status: 410, code: 'session_ended' });
    }
    expect(await refusal(session.events()[Symbol.asyncIterator]().next())).toMatchObject({
      status: 410,
      code: 'session_ended',
    });
  });

  it('errors carry the gateway status and code', async () => {
    const { created, origin } = await connected();
    const session = new PortholeSession({ gateway: h.gateway.url, sessionToken: created.token });

    const wrongAdmin = new PortholeAdmin({ gateway: h.gateway.url, adminToken: 'not-the-admin-token' });
    expect(await refusal(wrongAdmin.createSession())).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(await refusal(wrongAdmin.session(created.session).ports())).toMatchObject({
      status: 401,
      code: 'unauthorized',
    });
    expect(await refusal(admin.createSession({ owner: { email: 'a@example.com' } }))).toMatchObject({
      status: 409,
      code: 'identity_not_configured',
    });
    expect(await refusal(admin.createSession({ ttlSeconds: 5 }))).toMatchObject({ status: 400, code: 'bad_request' });
    expect(await refusal(session.revokeLink('nosuchlink'))).toMatchObject({ status: 404, code: 'no_such_link' });
    expect(await refusal(session.setVisibility(0, 'public'))).toMatchObject({ status: 400, code: 'bad_request' });
    const error = await refusal(session.setVisibility(origin.port, 'everyone' as 'public'));
    expect(error.toJSON()).toEqual({
      error: 'bad_request',
      status: 400,
      message: expect.stringContaining('visibility'),
    });

    // A session token drives its own session only.
    const other = await admin.createSession();
    const wrong = new PortholeSession({ gateway: h.gateway.url, adminToken: 'x', session: other.session });
    expect(await refusal(wrong.ownerToken())).toMatchObject({ status: 401, code: 'unauthorized' });
    const traded = await request(h.gateway, `/api/sessions/${other.session}/owner-token`, {
      method: 'POST',
      headers: { authorization: `Bearer ${created.token}` },
    });
    expect([traded.status, JSON.parse(traded.body.toString()).error]).toEqual([403, 'forbidden']);

    // A session the gateway never created (no identity record): ended, for the admin too.
    expect(await refusal(admin.session('a'.repeat(16)).ports())).toMatchObject({ status: 410, code: 'session_ended' });
    // A token that names no session, and a gateway nobody answers at.
    expect(() => new PortholeSession({ gateway: h.gateway.url, sessionToken: 'junk' }).session).toThrow(
      PortholeApiError,
    );
    const nowhere = new PortholeAdmin({ gateway: `http://127.0.0.1:${await freePort()}`, adminToken: 'x' });
    expect(await refusal(nowhere.createSession())).toMatchObject({ status: 502, code: 'gateway_unreachable' });
    expect(() => new PortholeAdmin({ gateway: 'ftp://example.com', adminToken: 'x' })).toThrow(TypeError);
    expect(() => new PortholeAdmin({ gateway: h.gateway.url, adminToken: '' })).toThrow(TypeError);
  });
});
