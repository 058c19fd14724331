/**
 * Share controls end to end: the gateway in workerd, the real client, real
 * origins. What an owner, a reviewer and a stranger each get, and what the
 * origin sees of it.
 */
import type http from 'node:http';
import https from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiLink, ApiOwnerToken, ApiPort } from '../../protocol';
import { type Harness, type Reply, request, type RunningAgent, startAgent, startHarness, startOrigin } from './harness';
import { aud, mintForTest } from './tokens';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

/** An origin for the running test that records what it receives and answers with `handler` (default: 200 "app"). */
async function origin(handler?: http.RequestListener) {
  const seen: Seen[] = [];
  const o = await startOrigin((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    if (handler) handler(req, res);
    else res.end('app');
  });
  return { ...o, seen };
}

function agentFor(ports: number[], visibility?: (port: number) => 'private' | 'link' | 'public' | undefined) {
  return startAgent(h, ports, { visibility: visibility ?? (() => undefined) });
}

async function ownerToken(a: RunningAgent): Promise<string> {
  return (await a.agent.api.ownerToken()).token;
}

const json = (reply: Reply) => JSON.parse(reply.body.toString()) as Record<string, unknown>;

/** The cookie a Set-Cookie header sets, as a browser would send it back (name=value). */
function cookieOf(reply: Reply): string {
  const header = reply.headers['set-cookie']?.[0] ?? '';
  return header.split(';')[0] as string;
}

describe('share controls', () => {
  it('a new port is private: a clear page for browsers, JSON for tools, nothing of the origin', async () => {
    const o = await origin();
    const a = await agentFor([o.port]);
    const url = await a.agent.url(o.port);
    expect(a.agent.ports()[0]?.visibility).toBe('private');

    // A browser's navigation goes to the control plane's sign-in (new with issue 12), which, without
    // the owner's sign-in there, is the private page (no redirect, so no loop).
    const navigation = await request(h.gateway, url, { headers: { accept: 'text/html' } });
    expect(navigation.status).toBe(303);
    expect(String(navigation.headers.location)).toMatch(
      new RegExp(`^${h.gateway.url}/s/${a.session}/open\\?port=${o.port}&path=%2F&proof=`),
    );
    const page = await request(h.gateway, String(navigation.headers.location), { headers: { accept: 'text/html' } });
    expect(page.status).toBe(401);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body.toString()).toContain('This preview is private');
    expect(page.body.toString()).toContain('porthole dashboard');
    expect(page.body.toString()).toContain(`porthole login ${o.port}`);
    // A fetch from a page (Sec-Fetch-Mode: cors) still gets the 401 page itself.
    const fetched = await request(h.gateway, url, { headers: { accept: 'text/html', 'sec-fetch-mode': 'cors' } });
    expect(fetched.status).toBe(401);
    expect(fetched.body.toString()).toContain('This preview is private');
    const api = await request(h.gateway, url);
    expect(api.status).toBe(401);
    expect(json(api)).toMatchObject({ error: 'preview_private', status: 401 });
    expect(o.seen).toHaveLength(0);
    // The client offers the owner a one-time login link for it.
    const offered = await a.event((e) => e.event === 'port.login' && e.port === o.port, 'port.login');
    expect(offered).toMatchObject({ url: expect.stringContaining(`/s/${a.session}/login?porthole_login=`) });
  });

  it("the owner's X-Porthole-Token opens it; Porthole's header and cookie never reach the origin, the app's do", async () => {
    const o = await origin();
    const a = await agentFor([o.port]);
    const url = await a.agent.url(o.port);
    const owner = await ownerToken(a);
    const reply = await request(h.gateway, `${url}path?q=1`, {
      headers: {
        'x-porthole-token': owner,
        authorization: 'Bearer the-apps-own',
        cookie: 'theme=dark; porthole=leftover; __Host-porthole=also; sid=42',
      },
    });
    expect(reply.status).toBe(200);
    const seen = o.seen[0] as Seen;
    expect(seen.url).toBe('/path?q=1');
    expect(seen.headers['x-porthole-token']).toBeUndefined();
    expect(seen.headers.authorization).toBe('Bearer the-apps-own');
    expect(seen.headers.cookie).toBe('theme=dark; sid=42');
    expect(JSON.stringify(seen.headers)).not.toContain(owner);
  });

  it('a login link sets a host-only HttpOnly SameSite=Lax cookie, drops the token from the URL, and works once', async () => {
    const o = await origin();
    const a = await agentFor([o.port]);
    const url = await a.agent.url(o.port);
    const login = await a.agent.api.loginLink(o.port);
    // The link signs in on the control plane first (issue 12), then hands over to the port with a ticket.
    expect(login.url.startsWith(`${h.gateway.url}/s/${a.session}/login?porthole_login=`)).toBe(true);
    const signedIn = await request(h.gateway, `${login.url}&path=${encodeURIComponent('/docs?page=2')}`, {
      headers: { accept: 'text/html' },
    });
    expect(signedIn.status).toBe(303);
    expect(String(signedIn.headers.location).startsWith(`${url}docs?page=2&porthole_login=`)).toBe(true);

    const opened = await request(h.gateway, String(signedIn.headers.location), {
      headers: { accept: 'text/html' },
    });
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe(`${url}docs?page=2`);
    expect(opened.headers['referrer-policy']).toBe('no-referrer');
    expect(opened.headers['cache-control']).toBe('no-store');
    const setCookie = opened.headers['set-cookie']?.[0] ?? '';
    // Plain http here (locally): no Secure, so no __Host- prefix; on https it is __Host-porthole; Secure.
    expect(setCookie).toMatch(/^porthole=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=43200; Path=\/; HttpOnly; SameSite=Lax$/);
    expect(setCookie).not.toMatch(/Domain=/i);

    const page = await request(h.gateway, `${url}docs?page=2`, { headers: { cookie: cookieOf(opened) } });
    expect(page.status).toBe(200);
    expect(o.seen.map((s) => s.url)).toEqual(['/docs?page=2']);
    expect(o.seen[0]?.headers.cookie).toBeUndefined();

    const again = await request(h.gateway, login.url, { headers: { accept: 'text/html' } });
    expect(again.status).toBe(410);
    expect(again.body.toString()).toContain('already been used');
  });

  it('one login covers the other private ports, and a front end on one port calls an API on another (browser requests)', async () => {
    const front = await origin();
    const apiSeen: Seen[] = [];
    const api = await origin((req, res) => {
      apiSeen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      // The app's own CORS policy: it trusts its front end's origin, with credentials.
      const allow = {
        'access-control-allow-origin': req.headers.origin ?? '',
        'access-control-allow-credentials': 'true',
        vary: 'Origin',
      };
      if (req.method === 'OPTIONS') {
        res.writeHead(204, {
          ...allow,
          'access-control-allow-methods': 'POST',
          'access-control-allow-headers': 'content-type',
        });
        res.end();
      } else {
        res.writeHead(200, { ...allow, 'content-type': 'application/json' });
        res.end('{"saved":true}');
      }
    });
    const a = await agentFor([front.port, api.port]);
    const frontUrl = new URL(await a.agent.url(front.port));
    const apiUrl = new URL(await a.agent.url(api.port));

    // The owner opens the login link for the front end: one redirect hop per private port, then back.
    const login = await a.agent.api.loginLink(front.port);
    const jar = new Map<string, string>();
    let next = login.url;
    for (let hop = 0; hop < 4 && next.includes('porthole_login='); hop++) {
      const reply = await request(h.gateway, next, { headers: { accept: 'text/html' } });
      expect(reply.status).toBe(303);
      jar.set(new URL(next).host, cookieOf(reply));
      next = new URL(String(reply.headers.location), next).href;
    }
    expect(next).toBe(frontUrl.href);
    // The control plane (its sign-in cookie, issue 12), then one hop per private port.
    expect([...jar.keys()].sort()).toEqual([new URL(h.gateway.url).host, frontUrl.host, apiUrl.host].sort());

    // fetch(apiUrl, { method: 'POST', credentials: 'include', headers: { 'content-type': 'application/json' } })
    // from the front end: first the preflight, which carries no cookie…
    const preflight = await request(h.gateway, `${apiUrl.href}items`, {
      method: 'OPTIONS',
      headers: {
        origin: frontUrl.origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
        'sec-fetch-mode': 'cors',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe(frontUrl.origin);
    expect(preflight.headers['access-control-allow-credentials']).toBe('true');
    // …then the request itself, with the API port's cookie.
    const post = await request(h.gateway, `${apiUrl.href}items`, {
      method: 'POST',
      headers: {
        origin: frontUrl.origin,
        cookie: jar.get(apiUrl.host) as string,
        'content-type': 'application/json',
        'sec-fetch-mode': 'cors',
      },
      body: '{"name":"x"}',
    });
    expect(post.status).toBe(200);
    expect(post.body.toString()).toBe('{"saved":true}');
    expect(apiSeen.map((s) => s.method)).toEqual(['OPTIONS', 'POST']);
    expect(apiSeen[1]?.headers.cookie).toBeUndefined();

    // Without the cookie the API refuses, and says why in a way the front end may read.
    const refused = await request(h.gateway, `${apiUrl.href}items`, {
      method: 'POST',
      headers: { origin: frontUrl.origin, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(refused.status).toBe(401);
    expect(refused.headers['access-control-allow-origin']).toBe(frontUrl.origin);
    expect(refused.headers['access-control-allow-credentials']).toBe('true');
    expect(apiSeen).toHaveLength(2);
  });

  it('share link → reviewer link that works in a fresh browser until revoked; public opens it to anyone', async () => {
    const o = await origin();
    const a = await agentFor([o.port]);
    const url = await a.agent.url(o.port);
    const link = await a.agent.api.createLink(o.port, { ttlSeconds: 600, label: 'for Sam' });
    expect(link).toMatchObject({ port: o.port, label: 'for Sam', url: expect.stringContaining('?porthole_share=') });
    expect(Date.parse(link.expiresAt) - Date.now()).toBeGreaterThan(590_000);

    // Still private: a share link does not open it.
    const closed = await request(h.gateway, link.url, { headers: { accept: 'text/html' } });
    expect(closed.status).toBe(403);
    expect(closed.body.toString()).toContain('private');

    const shared = await a.agent.api.setVisibility(o.port, 'link');
    expect(shared).toMatchObject({ port: o.port, visibility: 'link', listening: true });
    await a.event((e) => e.event === 'port.share' && e.visibility === 'link', 'port.share');
    // A fresh browser: no cookies. The link sets one and sends it on without the token.
    const opened = await request(h.gateway, link.url, { headers: { accept: 'text/html' } });
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe(url);
    const cookie = cookieOf(opened);
    expect((await request(h.gateway, url, { headers: { cookie } })).status).toBe(200);
    // Strangers still get the "needs a link" page.
    expect((await request(h.gateway, url)).status).toBe(401);

    // The list shows the link with a URL that works; revoking it shuts it at once.
    const listed = await a.agent.api.links();
    expect(listed).toEqual([expect.objectContaining({ id: link.id, port: o.port, label: 'for Sam' })]);
    const relisted = await request(h.gateway, (listed[0] as ApiLink).url);
    expect(relisted.status).toBe(303);
    await a.agent.api.revokeLink(link.id);
    const revoked = await request(h.gateway, url, { headers: { cookie, accept: 'text/html' } });
    expect(revoked.status).toBe(410);
    expect(revoked.body.toString()).toContain('This link was revoked');
    expect(revoked.headers['set-cookie']?.[0]).toMatch(/^porthole=; .*Max-Age=0/);
    expect((await request(h.gateway, link.url)).status).toBe(410);
    expect(await a.agent.api.links()).toEqual([]);
    const seenBefore = o.seen.length;

    // Public: anyone, on the very next request, no reconnect.
    await a.agent.api.setVisibility(o.port, 'public');
    expect((await request(h.gateway, url)).status).toBe(200);
    await a.agent.api.setVisibility(o.port, 'private');
    expect((await request(h.gateway, url)).status).toBe(401);
    expect(o.seen.length).toBe(seenBefore + 1);
  });

  it("the client's default and per-port rules decide a new port's visibility; the owner's choice outlives a restart", async () => {
    const pub = await origin();
    const lnk = await origin();
    const a = await agentFor([pub.port, lnk.port], (port) => (port === lnk.port ? 'link' : 'public'));
    const byPort = () => new Map(a.agent.ports().map((p) => [p.port, p.visibility]));
    expect(byPort()).toEqual(
      new Map([
        [pub.port, 'public'],
        [lnk.port, 'link'],
      ]),
    );
    await a.agent.api.setVisibility(lnk.port, 'private');
    a.agent.stop();
    // The same session reconnects with the same rules: the owner's explicit choice still wins.
    const again = await startAgent(h, [pub.port, lnk.port], {
      token: a.token,
      session: a.session,
      visibility: (port) => (port === lnk.port ? 'link' : 'public'),
    });
    await again.event((e) => e.event === 'port.open' && e.port === lnk.port, 'port.open');
    expect(new Map(again.agent.ports().map((p) => [p.port, p.visibility])).get(lnk.port)).toBe('private');
    const ports: ApiPort[] = await again.agent.api.ports();
    expect(ports.map((p) => [p.port, p.visibility])).toEqual(
      [
        [pub.port, 'public'],
        [lnk.port, 'private'],
      ].sort((x, y) => (x[0] as number) - (y[0] as number)),
    );
  });

  it('the app cannot set or clear the Porthole cookie; its own cookies pass', async () => {
    const o = await origin((_req, res) => {
      res.setHeader('set-cookie', ['porthole=evil; Path=/', '__Host-porthole=evil; Path=/; Secure', 'app=1; Path=/']);
      res.end('ok');
    });
    const a = await agentFor([o.port], () => 'public');
    const reply = await request(h.gateway, await a.agent.url(o.port));
    expect(reply.headers['set-cookie']).toEqual(['app=1; Path=/']);
  });

  it('the owner API refuses clearly: no token, a session token, another session, bad input, unknown link', async () => {
    const o = await origin();
    const a = await agentFor([o.port]);
    const owner = await ownerToken(a);
    const call = (method: string, path: string, token: string | null, body?: unknown) =>
      request(h.gateway, `/api/sessions/${a.session}${path}`, {
        method,
        headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    expect((await call('GET', '/ports', null)).status).toBe(401);
    expect((await call('GET', '/ports', a.token)).status).toBe(401); // A session token is not an owner token.
    const foreign = await mintForTest(h.tokenSecret, { aud: aud.owner, sub: 'b'.repeat(16) });
    expect((await call('GET', '/ports', foreign)).status).toBe(403);
    const bad = await call('PATCH', `/ports/${o.port}`, owner, { visibility: 'everyone' });
    expect(bad.status).toBe(400);
    expect(json(bad).message).toContain('private, org, link, public');
    expect((await call('POST', '/links', owner, { port: 70000 })).status).toBe(400);
    expect((await call('POST', '/links', owner, { port: o.port, ttl: 10 })).status).toBe(400);
    expect((await call('DELETE', '/links/nosuchlink', owner)).status).toBe(404);
    // The session token trades for an owner token that never outlives it.
    const traded = await call('POST', '/owner-token', a.token, { ttl: 3600 });
    expect(traded.status).toBe(201);
    expect((json(traded) as unknown as ApiOwnerToken).session).toBe(a.session);
    expect((await call('POST', '/owner-token', owner)).status).toBe(401);
  });
});

describe('key rotation', () => {
  it('tokens signed with TOKEN_SECRET_PREVIOUS are still accepted; other keys are not', async () => {
    const old = 'o'.repeat(43);
    const rotated = await startHarness({}, { TOKEN_SECRET: 'n'.repeat(43), TOKEN_SECRET_PREVIOUS: old });
    const o = await origin();
    const a = await startAgent(rotated, [o.port], { visibility: () => undefined });
    const url = await a.agent.url(o.port);
    const signedBefore = await mintForTest(old, { aud: aud.owner, sub: a.session });
    expect((await request(rotated.gateway, url, { headers: { 'x-porthole-token': signedBefore } })).status).toBe(200);
    const unknown = await mintForTest('u'.repeat(43), { aud: aud.owner, sub: a.session });
    expect((await request(rotated.gateway, url, { headers: { 'x-porthole-token': unknown } })).status).toBe(401);
  });
});

describe('https', () => {
  it('on https the owner cookie is __Host-porthole with Secure, and the link hands over to https', async () => {
    const secure = await startHarness({}, {}, { https: true });
    const call = (method: string, target: string, headers: Record<string, string> = {}, body?: string) =>
      new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
        const url = new URL(target, secure.gateway.url);
        const req = https.request(
          {
            host: '127.0.0.1',
            port: secure.gateway.port,
            method,
            path: url.pathname + url.search,
            headers: { host: url.host, accept: 'application/json', ...headers },
            servername: url.hostname,
            rejectUnauthorized: false, // Miniflare's self-signed certificate.
            agent: false,
          },
          (res) => {
            let text = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => {
              text += c;
            });
            res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
          },
        );
        req.on('error', reject);
        req.end(body);
      });
    const created = await call('POST', '/api/sessions', { authorization: `Bearer ${secure.adminToken}` });
    const { session, token } = JSON.parse(created.body) as { session: string; token: string };
    const owner = JSON.parse(
      (await call('POST', `/api/sessions/${session}/owner-token`, { authorization: `Bearer ${token}` })).body,
    ) as ApiOwnerToken;
    const login = JSON.parse(
      (
        await call(
          'POST',
          `/api/sessions/${session}/login`,
          { authorization: `Bearer ${owner.token}`, 'content-type': 'application/json' },
          JSON.stringify({ port: 8000 }),
        )
      ).body,
    ) as { url: string };
    expect(login.url).toMatch(new RegExp(`^https://[^/]+/s/${session}/login\\?`));
    const signedIn = await call('GET', login.url);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.location).toMatch(/^https:\/\/8000-.*\/\?porthole_login=/);
    expect(signedIn.headers['set-cookie']?.[0]).toMatch(
      new RegExp(
        `^__Secure-porthole_dashboard=[\\w.-]+; Max-Age=43200; Path=/s/${session}; HttpOnly; Secure; SameSite=Lax$`,
      ),
    );
    const opened = await call('GET', String(signedIn.headers.location));
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toMatch(/^https:\/\/8000-.*\/$/);
    expect(opened.headers['set-cookie']?.[0]).toMatch(
      /^__Host-porthole=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=43200; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
  });
});

describe('dashboard credentials', () => {
  it('a dashboard link works once, only for its own dashboard, and port and dashboard credentials do not cross', async () => {
    const o = await origin();
    const a = await agentFor([o.port]);
    const other = await agentFor([]);
    const page = (session: string, headers: Record<string, string> = {}) =>
      request(h.gateway, `/s/${session}`, { headers: { accept: 'text/html', ...headers } });

    expect((await page(a.session)).status).toBe(401);
    const link = await a.agent.api.dashboardLink();
    const opened = await request(h.gateway, link.url, { headers: { accept: 'text/html' } });
    expect(opened.status).toBe(303);
    expect(opened.headers.location).toBe(`${h.gateway.url}/s/${a.session}`);
    const setCookie = opened.headers['set-cookie']?.[0] ?? '';
    expect(setCookie).toMatch(
      new RegExp(`^porthole_dashboard=[\\w.-]+; Max-Age=43200; Path=/s/${a.session}; HttpOnly; SameSite=Lax$`),
    );
    const cookie = setCookie.split(';')[0] as string;
    const shown = await page(a.session, { cookie });
    expect(shown.status).toBe(200);
    expect(shown.headers['content-security-policy']).toContain("script-src 'self'");
    expect(shown.body.toString()).toContain(`data-port-row="${o.port}"`);
    // Used once.
    expect((await request(h.gateway, link.url)).status).toBe(410);
    // Not another session's dashboard.
    expect((await page(other.session, { cookie })).status).toBe(403);
    // A dashboard link is no login for a port, and a port's login is no dashboard link.
    const dashboardToken = new URL((await a.agent.api.dashboardLink()).url).searchParams.get('porthole_login');
    const portUrl = await a.agent.url(o.port);
    expect((await request(h.gateway, `${portUrl}?porthole_login=${dashboardToken}`)).status).toBe(403);
    const portLogin = new URL((await a.agent.api.loginLink(o.port)).url).searchParams.get('porthole_login');
    expect((await request(h.gateway, `/s/${a.session}?porthole_login=${portLogin}`)).status).toBe(403);
    // A port's owner cookie does not open the dashboard, nor the dashboard cookie a port.
    const portCookie = `porthole_dashboard=${await mintForTest(h.tokenSecret, { aud: aud.cookie, sub: a.session, port: o.port })}`;
    expect((await page(a.session, { cookie: portCookie })).status).toBe(403);
    const asPort = `porthole=${cookie.split('=')[1]}`;
    expect((await request(h.gateway, portUrl, { headers: { cookie: asPort } })).status).toBe(403);
    expect(o.seen).toHaveLength(0);
  });
});
