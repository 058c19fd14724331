/**
 * Owner credentials are bounded by the session (access/owner-grant.ts): no
 * owner token, dashboard link, cookie or page token outlives the session
 * token, however it is renewed; "sign out everywhere" ends every one of them
 * at once while the client's tunnel stays up; the dashboard's page token is
 * short-lived and renewed only by the page itself. Redirects are followed by
 * hand with a cookie jar per host, as signin.test.ts does.
 */
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, type Reply, createSession, request, startAgent, startHarness, waitFor } from './harness';
import { freePorts, nodeServer } from './servers';
import { aud, mintForTest } from './tokens';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const NAVIGATE = { accept: 'text/html', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };
const JSON_ACCEPT = { accept: 'application/json' };
type Jar = Map<string, Map<string, string>>;

/** Navigates to `url` as a browser would (303s followed, at most 10, cookies kept in `jar`); the last reply. */
async function browse(url: string, jar: Jar): Promise<Reply & { url: string }> {
  let next = url;
  for (let i = 0; i < 10; i++) {
    const host = new URL(next).host;
    const cookies = [...(jar.get(host) ?? new Map<string, string>())].map(([n, v]) => `${n}=${v}`).join('; ');
    const reply = await request(h.gateway, next, { headers: { ...NAVIGATE, ...(cookies ? { cookie: cookies } : {}) } });
    for (const header of reply.headers['set-cookie'] ?? []) {
      const [pair = ''] = header.split(';');
      const eq = pair.indexOf('=');
      const kept = jar.get(host) ?? new Map<string, string>();
      if (/Max-Age=0/i.test(header)) kept.delete(pair.slice(0, eq));
      else kept.set(pair.slice(0, eq), pair.slice(eq + 1));
      jar.set(host, kept);
    }
    if (reply.status !== 303) return { ...reply, url: next };
    next = new URL(String(reply.headers.location), next).href;
  }
  throw new Error(`more than 10 redirects from ${url}`);
}

/** One owner API call with `token` as Bearer; status and JSON body. */
async function api(session: string, method: string, path: string, token: string, body?: unknown) {
  const reply = await request(h.gateway, `/api/sessions/${session}${path}`, {
    method,
    headers: { ...JSON_ACCEPT, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: reply.status, body: JSON.parse(reply.body.toString() || '{}') as Record<string, unknown> };
}

/** The dashboard cookie's value in `jar` (the only cookie of the control plane's host but the loop guard). */
const dashboardCookie = (jar: Jar) => jar.get(new URL(h.gateway.url).host)?.get('porthole_dashboard') ?? '';
const pageTokenOf = (html: string) => /name="porthole-token" content="([^"]+)"/.exec(html)?.[1] ?? '';
const exp = (jwt: string) => decodeJwt(jwt).exp as number;

describe('owner credentials end with the session token', () => {
  it('owner token, dashboard link, cookie, page token and a renewal through a new link all expire by the session token', async () => {
    const { session } = await createSession(h);
    const sessionToken = await mintForTest(h.tokenSecret, { aud: aud.session, sub: session, expiresIn: 4 });
    const ends = exp(sessionToken);

    const minted = await api(session, 'POST', '/owner-token', sessionToken, { ttl: 7 * 24 * 3600 });
    expect(minted.status).toBe(201);
    const owner = String(minted.body.token);
    expect(exp(owner)).toBeLessThanOrEqual(ends);

    // The dashboard link, the cookie it becomes, and the page token the page gets: none past the session token.
    const link = await api(session, 'POST', '/dashboard', owner, { ttl: 24 * 3600 });
    expect(Date.parse(String(link.body.expiresAt))).toBeLessThanOrEqual(ends * 1000);
    const jar: Jar = new Map();
    const page = await browse(String(link.body.url), jar);
    expect(page.status).toBe(200);
    expect(exp(dashboardCookie(jar))).toBeLessThanOrEqual(ends);
    const pageToken = pageTokenOf(page.body.toString());
    expect(exp(pageToken)).toBeLessThanOrEqual(ends);

    // Renewal: the page token asks for a new dashboard link; its cookie still ends with the session token.
    const renewed = await api(session, 'POST', '/dashboard', pageToken, { ttl: 24 * 3600 });
    const again: Jar = new Map();
    expect((await browse(String(renewed.body.url), again)).status).toBe(200);
    expect(exp(dashboardCookie(again))).toBeLessThanOrEqual(ends);

    // Past the session token's expiry, the owner token the session token gave is refused.
    await waitFor(
      async () => (await api(session, 'GET', '/status', owner)).status === 401,
      'owner token refused',
      15_000,
      200,
    );
    expect(Date.now()).toBeGreaterThanOrEqual(ends * 1000 - 1000);
  });

  it('an owner token or cookie that claims to outlive its grant, or has none, is refused', async () => {
    const { session } = await createSession(h);
    const past = await mintForTest(h.tokenSecret, { aud: aud.owner, sub: session, expiresIn: 3600, untilIn: 60 });
    const bare = await mintForTest(h.tokenSecret, { aud: aud.owner, sub: session, untilIn: null });
    const good = await mintForTest(h.tokenSecret, { aud: aud.owner, sub: session });
    expect((await api(session, 'GET', '/status', good)).status).toBe(200);
    for (const token of [past, bare]) expect((await api(session, 'GET', '/status', token)).status).toBe(401);
  });
});

describe('sign out everywhere', () => {
  it('revokes owner tokens, dashboard and port cookies and unused links at once; the tunnel stays up', async () => {
    const [port] = (await freePorts(1)) as [number];
    const a = await startAgent(h, [port], { visibility: () => 'private' });
    await nodeServer(port, '127.0.0.1', 'private app');
    const opened = await a.event((e) => e.event === 'port.open' && e.port === port, 'port.open');
    const { url } = opened as { url: string };
    const { token } = await a.agent.api.ownerToken();
    const jar: Jar = new Map();
    expect((await browse((await a.agent.api.dashboardLink()).url, jar)).status).toBe(200);
    expect((await browse((await a.agent.api.loginLink(port)).url, jar)).body.toString()).toBe('private app');
    const unused = await a.agent.api.loginLink(port);
    expect((await request(h.gateway, url, { headers: { 'x-porthole-token': token } })).status).toBe(200);

    const out = await api(a.session, 'POST', '/signout', token);
    expect(out).toMatchObject({ status: 200, body: { session: a.session, signedOut: true, epoch: 1 } });

    // Every owner credential from before: 401 signed_out.
    expect(await api(a.session, 'GET', '/ports', token)).toMatchObject({ status: 401, body: { error: 'signed_out' } });
    const header = await request(h.gateway, url, { headers: { ...JSON_ACCEPT, 'x-porthole-token': token } });
    expect([header.status, JSON.parse(header.body.toString()).error]).toEqual([401, 'signed_out']);
    const dashboard = await request(h.gateway, `/s/${a.session}`, {
      headers: { ...JSON_ACCEPT, cookie: `porthole_dashboard=${dashboardCookie(jar)}` },
    });
    expect([dashboard.status, JSON.parse(dashboard.body.toString()).error]).toEqual([401, 'signed_out']);
    expect((await browse(unused.url, new Map())).status).toBe(401);
    // The private port, with the old port and dashboard cookies: sent to sign in, which now asks for a login.
    const preview = await browse(url, jar);
    expect(preview.status).toBe(401);
    expect(preview.url).toContain(`/s/${a.session}/open`);
    expect(preview.body.toString()).toContain('This preview is private');

    // The session token still works: the client's tunnel stayed up and it trades for a new owner token.
    expect(a.events.some((e) => e.event === 'tunnel.down')).toBe(false);
    expect((await a.agent.api.ports()).map((p) => p.port)).toContain(port);
    const fresh = (await a.agent.api.ownerToken()).token;
    expect((await request(h.gateway, url, { headers: { 'x-porthole-token': fresh } })).body.toString()).toBe(
      'private app',
    );
  });
});

describe('the dashboard page token', () => {
  it('lives 5 minutes, is renewed only by the page itself with its cookie, and an expired one is refused', async () => {
    const a = await startAgent(h, []);
    const jar: Jar = new Map();
    const page = await browse((await a.agent.api.dashboardLink()).url, jar);
    const pageToken = pageTokenOf(page.body.toString());
    expect(exp(pageToken) - Date.now() / 1000).toBeLessThanOrEqual(5 * 60 + 1);
    const cookie = `porthole_dashboard=${dashboardCookie(jar)}`;
    const renew = (headers: Record<string, string>) =>
      request(h.gateway, `/s/${a.session}/page-token`, { method: 'POST', headers: { cookie, ...headers } });

    const renewed = await renew({ 'x-porthole-page': 'renew', 'sec-fetch-site': 'same-origin' });
    expect(renewed.status).toBe(200);
    const next = JSON.parse(renewed.body.toString()) as { token: string; expiresAt: string };
    expect((await api(a.session, 'GET', '/status', next.token)).status).toBe(200);
    expect(Date.parse(next.expiresAt) - Date.now()).toBeLessThanOrEqual(5 * 60_000 + 1000);

    // Another site's page (a form, a fetch without the header, a cross-site fetch) cannot renew it.
    expect((await renew({})).status).toBe(403);
    expect((await renew({ 'x-porthole-page': 'renew', 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await renew({ 'x-porthole-page': 'renew', origin: 'http://evil.example' })).status).toBe(403);
    // Without the cookie, none.
    const none = await request(h.gateway, `/s/${a.session}/page-token`, {
      method: 'POST',
      headers: { 'x-porthole-page': 'renew' },
    });
    expect(none.status).toBe(401);

    const expired = await mintForTest(h.tokenSecret, { aud: aud.owner, sub: a.session, expiresIn: -1 });
    expect((await api(a.session, 'GET', '/status', expired)).status).toBe(401);
  });
});
