/**
 * Port previews opened by who the viewer is signed in as (docs/identity.md): the signed-in owner
 * opens private ports, a member of the session's organisation `org` ports only, anyone else is
 * refused with a page naming the account; a browser signed in as nobody is sent to sign in. The
 * gateway runs in workerd with an OIDC provider configured; the sign-in's identity cookie is
 * minted here with the gateway's secret (the OIDC flow that sets it is oidc-signin.test.ts's), so
 * what is tested is the way from that cookie to the port: /open, the one-time ticket, the port
 * cookie, the origin. Redirects are followed by hand, with a cookie jar per host.
 */
import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Visibility } from '../../protocol';
import type { Identity } from '../../gateway/identity/identity';
import { mintIdentityCookie } from '../../gateway/identity/identity-cookie';
import { type Harness, type Reply, request, type RunningAgent, startAgent, startHarness, startOrigin } from './harness';
import { browse as browseAs, HostJar, last, NAVIGATE } from './host-jar';
import { createIdentitySession } from './oidc/identity-setup';

const PROVIDER = { OIDC_ISSUER: 'http://127.0.0.1:1', OIDC_CLIENT_ID: 'porthole', FORWARD_EMAIL: 'on' };

const person = (email: string, subject: string): Identity => ({
  issuer: 'http://127.0.0.1:1',
  subject,
  email,
  emailVerified: true,
  groups: [],
  source: 'oidc',
});
const alice = person('alice@example.com', 'alice');
const bob = person('bob@example.com', 'bob');
const eve = person('eve@other.test', 'eve');

let h: Harness;
/** What the origin of each port saw last: its request headers. */
const seen = new Map<number, http.IncomingHttpHeaders>();
let agent: RunningAgent;
const urls = new Map<Visibility, string>();

beforeAll(async () => {
  h = await startHarness(PROVIDER);
  const { session, token } = await createIdentitySession(h, {
    owner: { email: 'alice@example.com' },
    policy: { emailDomains: ['example.com'] },
  });
  const byPort = new Map<number, Visibility>();
  for (const visibility of ['private', 'org', 'link'] as const) {
    const origin = await startOrigin((req, res) => {
      seen.set(req.socket.localPort ?? 0, req.headers);
      res.end(`app ${visibility}`);
    });
    byPort.set(origin.port, visibility);
  }
  agent = await startAgent(h, [...byPort.keys()], { token, session, visibility: (port) => byPort.get(port) });
  for (const [port, visibility] of byPort) {
    const event = await agent.event((e) => e.event === 'port.open' && e.port === port, `port.open ${port}`);
    urls.set(visibility, (event as { url: string }).url);
  }
}, 60_000);
afterAll(async () => {
  await h?.stop();
});

/** A browser signed in as `who` (or nobody): a jar holding the identity cookie on the control domain. */
async function browserOf(who: Identity | null): Promise<HostJar> {
  const jar = new HostJar();
  if (who === null) return jar;
  const { setCookie } = await mintIdentityCookie(
    { tokenSecret: h.tokenSecret, tokenSecretPrevious: null },
    who,
    'http',
  );
  jar.store(new URL(h.gateway.url).host, [setCookie]);
  return jar;
}

const browse = (url: string, jar: HostJar, extra: Record<string, string> = {}) => browseAs(h.gateway, url, jar, extra);
const code = (reply: Reply) => reply.headers['x-porthole-error'];
const portOf = (url: string) => Number(new URL(url).hostname.split('-')[0]);

describe('who opens what, by identity', () => {
  it.each([
    ['the owner', 'private', 200, 'app private', alice],
    ['the owner', 'org', 200, 'app org', alice],
    ['the owner', 'link', 200, 'app link', alice],
    ['a member', 'org', 200, 'app org', bob],
    ['a member', 'private', 403, 'not_owner', bob],
    ['a member', 'link', 403, 'link_required', bob],
    ['an outsider', 'org', 403, 'not_in_org', eve],
    ['an outsider', 'private', 403, 'not_owner', eve],
  ] as const)('%s on a %s port: %i %s', async (_, visibility, status, what, who) => {
    const url = urls.get(visibility)!;
    const reply = last(await browse(url, await browserOf(who)));
    expect(reply.status).toBe(status);
    if (status === 200) expect(reply.body.toString()).toBe(what);
    else {
      expect(code(reply)).toBe(what);
      // The page names the account the viewer is signed in with, and nothing of the owner or policy.
      expect(reply.body.toString()).toContain(who.email);
      expect(reply.body.toString()).not.toContain('alice@example.com');
    }
  });

  it('a member’s cookie is for its port only, and a member never gets in on a private port by it', async () => {
    const jar = await browserOf(bob);
    expect(last(await browse(urls.get('org')!, jar)).status).toBe(200);
    const orgHost = new URL(urls.get('org')!).host;
    const memberCookie = jar.hosts.get(orgHost)!.get('porthole')!;
    const privateHost = new URL(urls.get('private')!).host;
    const reply = await request(h.gateway, urls.get('private')!, { headers: { cookie: `porthole=${memberCookie}` } });
    expect(reply.status).toBe(403);
    expect(code(reply)).toBe('wrong_port');
    expect(privateHost).not.toBe(orgHost);
  });

  it('signed in as nobody: a navigation to an org port is sent to sign in and back; a fetch gets 401 org_required', async () => {
    const hops = await browse(urls.get('org')!, await browserOf(null));
    const reply = last(hops);
    // The last hop is the provider (unreachable here): the hop before it is the gateway's /auth/login.
    const login = hops.find((hop) => new URL(hop.url).pathname === '/auth/login');
    expect(login, hops.map((x) => `${x.url} ${x.reply.status}`).join('\n')).toBeDefined();
    const back = new URL(login!.url).searchParams.get('return')!;
    expect(back).toMatch(/^\/s\/[a-z2-7]+\/open\?port=\d+&path=%2F&proof=/);
    expect(reply.status).not.toBe(200);
    const fetched = await request(h.gateway, urls.get('org')!, { headers: { accept: 'application/json' } });
    expect(fetched.status).toBe(401);
    expect(code(fetched)).toBe('org_required');
  });

  it('the origin gets the verified email (FORWARD_EMAIL=on), never a forged one, Access headers or Porthole cookies', async () => {
    const jar = await browserOf(bob);
    const forged = {
      'x-porthole-email': 'ceo@example.com',
      x_porthole_email: 'ceo@example.com',
      'cf-access-jwt-assertion': 'e30.e30.sig',
      'cf-access-authenticated-user-email': 'ceo@example.com',
    };
    const hops = await browse(urls.get('org')!, jar, forged);
    expect(last(hops).status).toBe(200);
    const host = new URL(urls.get('org')!).host;
    const reply = await request(h.gateway, urls.get('org')!, {
      headers: { ...forged, cookie: `${jar.header(host).cookie}; CF_Authorization=abc; app=1` },
    });
    expect(reply.status).toBe(200);
    const headers = seen.get(portOf(urls.get('org')!)) ?? [...seen.values()].pop()!;
    expect(headers['x-porthole-email']).toBe('bob@example.com');
    expect(headers['x_porthole_email']).toBeUndefined();
    expect(headers['cf-access-jwt-assertion']).toBeUndefined();
    expect(headers['cf-access-authenticated-user-email']).toBeUndefined();
    expect(headers.cookie).toBe('app=1');
  });

  it('the owner by identity opens the dashboard; a member is refused there by name; nobody is sent to sign in', async () => {
    const dashboard = `${h.gateway.url}/s/${agent.session}`;
    const owner = last(await browse(dashboard, await browserOf(alice)));
    expect(owner.status).toBe(200);
    expect(owner.body.toString()).toContain(String(portOf(urls.get('org')!)));
    const member = last(await browse(dashboard, await browserOf(bob)));
    expect(member.status).toBe(403);
    expect(code(member)).toBe('not_owner');
    const nobody = await request(h.gateway, dashboard, { headers: NAVIGATE });
    expect(nobody.status).toBe(303);
    expect(new URL(String(nobody.headers.location)).pathname).toBe('/auth/login');
  });
});
