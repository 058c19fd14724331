/**
 * One owner sign-in covers the session (access/signin.ts, routes/signin.ts):
 * a browser's navigation to a private port without a credential goes to the
 * control plane's sign-in and back with a one-time ticket; tools and fetches
 * keep their 401. Redirects are followed by hand, with a cookie jar per host.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortFilter } from '../../client/ports/filters';
import { type Harness, type Reply, request, type RunningAgent, startAgent, startHarness } from './harness';
import { freePorts, nodeServer } from './servers';
import { aud, mintForTest } from './tokens';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

/** What a browser sends with a top-level navigation. */
const NAVIGATE = { accept: 'text/html', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document' };

/** A browser's cookies, by host (`name=value` pairs as it sends them back). */
type Jar = Map<string, Map<string, string>>;

function cookieHeader(jar: Jar, host: string): Record<string, string> {
  const pairs = [...(jar.get(host) ?? new Map<string, string>()).entries()].map(([n, v]) => `${n}=${v}`);
  return pairs.length ? { cookie: pairs.join('; ') } : {};
}

function store(jar: Jar, host: string, reply: Reply): void {
  for (const header of reply.headers['set-cookie'] ?? []) {
    const [pair = ''] = header.split(';');
    const eq = pair.indexOf('=');
    const cookies = jar.get(host) ?? new Map<string, string>();
    if (/Max-Age=0/i.test(header)) cookies.delete(pair.slice(0, eq));
    else cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    jar.set(host, cookies);
  }
}

/** Navigates to `url` as a browser would, following 303s (at most 10), keeping cookies; every hop's URL and reply. */
async function browse(
  url: string,
  jar: Jar,
  keeps: (host: string) => boolean = () => true,
): Promise<{ url: string; reply: Reply }[]> {
  const hops: { url: string; reply: Reply }[] = [];
  let next = url;
  for (let i = 0; i < 10; i++) {
    const host = new URL(next).host;
    const reply = await request(h.gateway, next, { headers: { ...NAVIGATE, ...cookieHeader(jar, host) } });
    if (keeps(host)) store(jar, host, reply);
    hops.push({ url: next, reply });
    if (reply.status !== 303) return hops;
    next = new URL(String(reply.headers.location), next).href;
  }
  throw new Error(`more than 10 redirects: ${hops.map((x) => x.url).join(' → ')}`);
}

/** A server in a child process (the client detects other processes' ports, not its own) on 127.0.0.1:`port`. */
const originOn = (port: number, text: string) => nodeServer(port, '127.0.0.1', text);

/** A session whose client detects exactly `ports` as they start; every port private. */
function watching(ports: number[]): Promise<RunningAgent> {
  return startAgent(h, [], {
    watch: { filter: new PortFilter({ only: ports.map(String) }), intervalMs: 50 },
    visibility: () => undefined,
  });
}

async function opened(a: RunningAgent, port: number): Promise<string> {
  const event = await a.event((e) => e.event === 'port.open' && e.port === port, `port.open ${port}`);
  return (event as { url: string }).url;
}

describe('sign-in covers the session', () => {
  it('a navigation without a credential goes to the control sign-in; without sign-in a private page, no loop; tools keep 401', async () => {
    const [port] = (await freePorts(1)) as [number];
    const a = await watching([port]);
    await originOn(port, 'app');
    const url = await opened(a, port);

    const bounced = await request(h.gateway, `${url}docs?page=2`, { headers: NAVIGATE });
    expect(bounced.status).toBe(303);
    expect(bounced.headers['referrer-policy']).toBe('no-referrer');
    expect(bounced.headers['cache-control']).toBe('no-store');
    const signIn = new URL(String(bounced.headers.location));
    expect(signIn.origin).toBe(h.gateway.url);
    expect(signIn.pathname).toBe(`/s/${a.session}/open`);
    expect(signIn.searchParams.get('port')).toBe(String(port));
    expect(signIn.searchParams.get('path')).toBe('/docs?page=2');
    expect(signIn.searchParams.get('proof')).toBeTruthy(); // the port's own hand-over
    // An old browser's navigation (Accept: text/html, no Sec-Fetch-*) is one too.
    expect((await request(h.gateway, url, { headers: { accept: 'text/html' } })).status).toBe(303);

    // Not signed in on the control plane: the private page, no redirect, so no loop.
    const page = await request(h.gateway, signIn.href, { headers: NAVIGATE });
    expect(page.status).toBe(401);
    expect(page.headers.location).toBeUndefined();
    expect(page.body.toString()).toContain('This preview is private');
    expect(page.body.toString()).toContain('porthole dashboard');
    expect(page.headers['x-porthole-error'] ?? JSON.stringify(page.headers)).toContain('preview_private');

    // Tools, fetch/XHR, frames and non-GET keep today's 401.
    const cases: { method?: string; headers: Record<string, string> }[] = [
      { headers: {} },
      { headers: { accept: 'text/html', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' } },
      { headers: { accept: 'text/html', 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'iframe' } },
      { method: 'POST', headers: NAVIGATE },
      { headers: { ...NAVIGATE, 'x-porthole-token': 'not-a-token' } },
    ];
    for (const c of cases) {
      const reply = await request(h.gateway, url, { method: c.method ?? 'GET', headers: c.headers });
      expect(reply.status, JSON.stringify(c)).toBe(401);
      expect(reply.headers.location).toBeUndefined();
    }
  });

  it('after the dashboard link, a port that starts later opens for the owner; a ticket works once', async () => {
    const [early, later] = (await freePorts(2)) as [number, number];
    const a = await watching([early, later]);
    await originOn(early, 'early');
    await opened(a, early);
    const jar: Jar = new Map();
    const dashboard = await browse((await a.agent.api.dashboardLink()).url, jar);
    expect(dashboard.at(-1)?.reply.status).toBe(200);

    // The port starts after the sign-in: no new link is needed.
    await originOn(later, 'later');
    const url = await opened(a, later);
    const hops = await browse(`${url}docs?page=2`, jar);
    const final = hops.at(-1) as { url: string; reply: Reply };
    expect(final.reply.status).toBe(200);
    expect(final.reply.body.toString()).toBe('later');
    expect(final.url).toBe(`${url}docs?page=2`);
    // Port host → control sign-in → port host with a ticket (→ the other private port's, and back) → the page.
    expect(new URL(hops[1]?.url as string).pathname).toBe(`/s/${a.session}/open`);
    const ticketed = hops[2]?.url as string;
    expect(new URL(ticketed).host).toBe(new URL(url).host);
    expect(new URL(ticketed).searchParams.has('porthole_login')).toBe(true);
    expect(jar.get(new URL(url).host)?.has('porthole')).toBe(true);

    // The ticket is spent.
    const replay = await request(h.gateway, ticketed, { headers: NAVIGATE });
    expect(replay.status).toBe(410);
    expect(replay.body.toString()).toContain('already been used');
  });

  it('a port login link signs in on the control plane too, works once, and later ports open', async () => {
    const [early, later] = (await freePorts(2)) as [number, number];
    const a = await watching([early, later]);
    await originOn(early, 'early');
    const earlyUrl = await opened(a, early);
    const link = (await a.agent.api.loginLink(early)).url;
    expect(link.startsWith(`${h.gateway.url}/s/${a.session}/login?porthole_login=`)).toBe(true);

    const jar: Jar = new Map();
    const first = await browse(link, jar);
    expect(first[0]?.reply.headers['set-cookie']?.[0]).toMatch(
      new RegExp(`^porthole_dashboard=[\\w.-]+; Max-Age=43200; Path=/s/${a.session}; HttpOnly; SameSite=Lax$`),
    );
    expect(first.at(-1)?.url).toBe(earlyUrl);
    expect(first.at(-1)?.reply.body.toString()).toBe('early');
    const again = await request(h.gateway, link, { headers: NAVIGATE });
    expect(again.status).toBe(410);
    expect(again.body.toString()).toContain('already been used');

    await originOn(later, 'later');
    const laterUrl = await opened(a, later);
    const hops = await browse(laterUrl, jar);
    expect(hops.at(-1)?.reply.status).toBe(200);
    expect(hops.at(-1)?.reply.body.toString()).toBe('later');
  });

  it('a browser that does not keep the port cookie is stopped with a clear page, not sent round in circles', async () => {
    const [port] = (await freePorts(1)) as [number];
    const a = await watching([port]);
    await originOn(port, 'app');
    const url = await opened(a, port);
    const jar: Jar = new Map();
    await browse((await a.agent.api.dashboardLink()).url, jar);
    const portHost = new URL(url).host;

    const hops = await browse(url, jar, (host) => host !== portHost);
    const last = hops.at(-1) as { url: string; reply: Reply };
    expect(last.reply.status).toBe(403);
    expect(last.reply.headers.location).toBeUndefined();
    expect(last.reply.body.toString()).toContain('did not keep the login cookie');
    expect(hops.length).toBeLessThan(10);
    // Once the browser keeps it, signing in works again at once (the guard was reset).
    const fixed = await browse(url, jar);
    expect(fixed.at(-1)?.reply.status).toBe(200);
    expect(fixed.at(-1)?.reply.body.toString()).toBe('app');
  });

  it("another session's page cannot send the owner through sign-in to a private port", async () => {
    const [port, otherPort] = (await freePorts(2)) as [number, number];
    const a = await watching([port]);
    await originOn(port, 'app');
    const url = await opened(a, port);
    const other = await startAgent(h, [otherPort]);
    const attacker = await other.agent.url(otherPort);
    const jar: Jar = new Map();
    await browse((await a.agent.api.dashboardLink()).url, jar);
    const control = new URL(h.gateway.url).host;
    // The port's own hand-over (with its proof), as a navigation to the port gets it.
    const handover = String((await request(h.gateway, url, { headers: NAVIGATE })).headers.location);
    const open = (referer?: string, target = handover) =>
      request(h.gateway, target, {
        headers: { ...NAVIGATE, ...cookieHeader(jar, control), ...(referer ? { referer } : {}) },
      });

    // Knowing the session id is not enough: a hand-over without the port's proof (or with another
    // port's or path's) is refused, Referer or not, so no page can choose where the owner lands.
    const forged = new URL(handover);
    forged.searchParams.delete('proof');
    const otherPath = new URL(handover);
    otherPath.searchParams.set('path', '/admin/delete?id=1');
    for (const target of [forged.href, otherPath.href]) {
      const refused = await open(undefined, target);
      expect(refused.status, target).toBe(403);
      expect(refused.headers.location, target).toBeUndefined();
      expect(refused.body.toString()).toContain('sign_in_refused');
    }
    for (const referer of [attacker, `${attacker}page`, 'https://evil.example/', 'not a url']) {
      const refused = await open(referer);
      expect(refused.status, referer).toBe(403);
      expect(refused.headers.location, referer).toBeUndefined();
      expect(refused.body.toString()).toContain('sign_in_refused');
    }
    for (const referer of [undefined, url, `${h.gateway.url}/s/${a.session}`]) {
      expect((await open(referer)).status, String(referer)).toBe(303);
    }
  });

  it('the return path stays on the port host: no open redirect through path=', async () => {
    const [port] = (await freePorts(1)) as [number];
    const a = await watching([port]);
    await originOn(port, 'app');
    const url = new URL(await opened(a, port));
    const jar: Jar = new Map();
    await browse((await a.agent.api.dashboardLink()).url, jar);
    const control = new URL(h.gateway.url).host;
    // A proof as the port would mint it for `path`, so the path rules themselves are what is tested.
    const open = async (path: string) => {
      const proof = await mintForTest(h.tokenSecret, { aud: aud.handover, sub: a.session, port, ret: path });
      const query = new URLSearchParams({ port: String(port), path, proof });
      return request(h.gateway, `/s/${a.session}/open?${query.toString()}`, {
        headers: { ...NAVIGATE, ...cookieHeader(jar, control) },
      });
    };

    const schemeRelative = await open('//evil.example/x?y=1');
    expect(schemeRelative.status).toBe(303);
    const location = new URL(String(schemeRelative.headers.location));
    expect(location.host).toBe(url.host);
    expect(location.pathname).toBe('//evil.example/x');
    for (const path of ['https://evil.example/', '/\\evil.example', 'evil.example', '/a b', '']) {
      const reply = await open(path);
      expect(reply.status, path).toBe(400);
      expect(reply.headers.location, path).toBeUndefined();
    }
    // A stowaway credential in the path is dropped: only the fresh ticket rides along.
    const stowaway = new URL(String((await open('/p?porthole_login=old&q=1')).headers.location));
    expect(stowaway.searchParams.getAll('porthole_login')).toHaveLength(1);
    expect(stowaway.searchParams.get('porthole_login')).not.toBe('old');
    expect(stowaway.searchParams.get('q')).toBe('1');

    // A bad path on a login link is refused before the link is spent.
    const link = (await a.agent.api.loginLink(port)).url;
    expect((await request(h.gateway, `${link}&path=https://evil.example/`)).status).toBe(400);
    expect((await request(h.gateway, link, { headers: NAVIGATE })).status).toBe(303);
  });

  it("a reviewer link another page sends the owner to never replaces the owner's cookie", async () => {
    const [port] = (await freePorts(1)) as [number];
    const a = await watching([port]);
    await originOn(port, 'app');
    const url = await opened(a, port);
    await a.agent.api.setVisibility(port, 'link');
    const jar: Jar = new Map();
    const login = await browse((await a.agent.api.loginLink(port)).url, jar);
    expect(login.at(-1)?.reply.status).toBe(200);
    const host = new URL(url).host;
    const ownerCookie = cookieHeader(jar, host);
    // Someone else's live reviewer link (say, shared with the attacker), opened in the owner's browser.
    const share = (await a.agent.api.createLink(port)).url;
    const fixation = await request(h.gateway, share, { headers: { ...NAVIGATE, ...ownerCookie } });
    expect(fixation.status).toBe(303);
    expect(fixation.headers['set-cookie']).toBeUndefined();
    // A stale link on a port made private again clears nothing either.
    await a.agent.api.setVisibility(port, 'private');
    const stale = await request(h.gateway, share, { headers: { ...NAVIGATE } });
    expect(stale.status).toBe(403);
    expect(stale.headers['set-cookie']).toBeUndefined();
    // The owner is still the owner.
    const after = await request(h.gateway, url, { headers: { ...NAVIGATE, ...ownerCookie } });
    expect(after.status).toBe(200);
  });

  it('a private page opened from elsewhere keeps no opener; opened by a page of the session it does', async () => {
    const [port] = (await freePorts(1)) as [number];
    const a = await watching([port]);
    await originOn(port, 'app');
    const url = await opened(a, port);
    const token = (await a.agent.api.ownerToken()).token;
    const open = (site: string, referer?: string) =>
      request(h.gateway, url, {
        headers: {
          ...NAVIGATE,
          'x-porthole-token': token,
          'sec-fetch-site': site,
          ...(referer ? { referer } : {}),
        },
      });
    expect((await open('cross-site')).headers['cross-origin-opener-policy']).toBe('same-origin');
    expect((await open('cross-site', 'http://elsewhere.example/')).headers['cross-origin-opener-policy']).toBe(
      'same-origin',
    );
    expect((await open('same-site')).headers['cross-origin-opener-policy']).toBeUndefined();
    expect((await open('cross-site', url)).headers['cross-origin-opener-policy']).toBeUndefined();
  });
});
