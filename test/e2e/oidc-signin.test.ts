/**
 * OIDC sign-in at the gateway (docs/identity.md) against a real provider on loopback
 * (oidc/provider.ts): the sign-in sets the identity cookie and /auth names the person; every
 * check refuses what it must (ID token signature, issuer, audience, expiry, nonce; state; a
 * replayed code; a provider that is down), with no identity cookie set; the return path; the
 * public client; sign-out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterTest, type Harness, startHarness } from './harness';
import { atProvider, gatewayGet, Jar, setCookies, signIn, whoAmI } from './oidc/flow';
import { startProvider, type TestProvider } from './oidc/provider';

let provider: TestProvider;
let h: Harness;

const identityCookieSet = (lines: string[]) => lines.some((l) => /^porthole_identity=[^;]+/.test(l));

beforeAll(async () => {
  provider = await startProvider();
  h = await startHarness({ OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: provider.clientId }, {
    OIDC_CLIENT_SECRET: provider.clientSecret,
  } as Record<string, string>);
  provider.register(`${h.gateway.url}/auth/callback`);
});

afterAll(async () => {
  await h?.stop();
  await provider?.stop();
});

describe('OIDC sign-in', () => {
  it('signs alice in: the identity cookie is set and /auth names her', async () => {
    const { reply, jar } = await signIn(h.gateway, 'alice@example.com');
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('/auth');
    expect(identityCookieSet(setCookies(reply.headers))).toBe(true);
    const cookie = setCookies(reply.headers).find((l) => l.startsWith('porthole_identity='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Path=\//);
    // The state cookie is cleared by the callback.
    expect(setCookies(reply.headers).some((l) => /^porthole_oidc=;.*Max-Age=0/i.test(l))).toBe(true);
    const who = await whoAmI(h.gateway, jar);
    expect(who.json).toEqual({
      signedIn: true,
      email: 'alice@example.com',
      issuer: provider.issuer,
      subject: 'alice',
      groups: ['eng'],
      source: 'oidc',
    });
    const page = await gatewayGet(h.gateway, jar, '/auth', { accept: 'text/html' });
    expect(page.body.toString()).toContain('alice@example.com');
  });

  it('is not signed in without the cookie', async () => {
    const who = await whoAmI(h.gateway, new Jar());
    expect(who.status).toBe(200);
    expect(who.json.signedIn).toBe(false);
  });

  it('a new sign-in replaces the earlier one: /auth names the new person', async () => {
    const { jar } = await signIn(h.gateway, 'alice@example.com');
    const { reply } = await signIn(h.gateway, 'bob@example.com', { jar });
    expect(reply.status).toBe(303);
    expect((await whoAmI(h.gateway, jar)).json).toMatchObject({ signedIn: true, email: 'bob@example.com' });
  });
});

describe('sign-out', () => {
  it('GET /auth/logout is a page whose button POSTs to /auth/logout', async () => {
    const { jar } = await signIn(h.gateway, 'alice@example.com');
    const page = await gatewayGet(h.gateway, jar, '/auth/logout', { accept: 'text/html' });
    expect(page.status).toBe(200);
    expect(page.body.toString()).toMatch(/<form method="post" action="\/auth\/logout">/);
    expect(page.headers['content-security-policy']).toMatch(/form-action 'self'/);
    // Under no-referrer a browser would send `Origin: null` with the form, and be refused.
    expect(page.headers['referrer-policy']).toBe('same-origin');
    // A GET signs nobody out.
    expect((await whoAmI(h.gateway, jar)).json.signedIn).toBe(true);
  });

  it('a same-origin POST clears the identity cookie and /auth says signed out', async () => {
    const { jar } = await signIn(h.gateway, 'alice@example.com');
    const reply = await gatewayGet(h.gateway, jar, '/auth/logout', { origin: h.gateway.url }, 'POST');
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('/auth');
    expect(setCookies(reply.headers).some((l) => /^porthole_identity=;.*Max-Age=0/i.test(l))).toBe(true);
    expect(jar.cookies.has('porthole_identity')).toBe(false);
    expect((await whoAmI(h.gateway, jar)).json.signedIn).toBe(false);
  });

  it('a same-origin POST with Origin: null (a no-referrer page) and Sec-Fetch-Site: same-origin signs out', async () => {
    const { jar } = await signIn(h.gateway, 'alice@example.com');
    const headers = { origin: 'null', 'sec-fetch-site': 'same-origin' };
    const reply = await gatewayGet(h.gateway, jar, '/auth/logout', headers, 'POST');
    expect(reply.status).toBe(303);
    expect((await whoAmI(h.gateway, jar)).json.signedIn).toBe(false);
  });

  it('a cross-origin POST (or one without Origin) is 403 logout_refused and signs nobody out', async () => {
    const { jar } = await signIn(h.gateway, 'alice@example.com');
    const attempts: Record<string, string>[] = [
      { origin: 'http://evil.test' },
      { origin: 'null' },
      { origin: 'null', 'sec-fetch-site': 'cross-site' },
      { origin: 'null', 'sec-fetch-site': 'same-site' },
      { origin: 'http://evil.test', 'sec-fetch-site': 'same-origin' },
      {},
    ];
    for (const headers of attempts) {
      const reply = await gatewayGet(h.gateway, jar, '/auth/logout', headers, 'POST');
      expect(reply.status).toBe(403);
      expect(JSON.parse(reply.body.toString()).error).toBe('logout_refused');
      expect(setCookies(reply.headers)).toEqual([]);
    }
    expect((await whoAmI(h.gateway, jar)).json.signedIn).toBe(true);
  });
});

describe('a public client (PKCE alone, no secret)', () => {
  it('signs eve in', async () => {
    const g = await startHarness({ OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: provider.publicClientId });
    // The provider knows one redirect URI per registration: this gateway's port is another.
    provider.register(`${g.gateway.url}/auth/callback`);
    afterTest(() => provider.register(`${h.gateway.url}/auth/callback`));
    const { reply, jar } = await signIn(g.gateway, 'eve@other.test');
    expect(reply.status, reply.body.toString()).toBe(303);
    expect((await whoAmI(g.gateway, jar)).json).toMatchObject({ signedIn: true, email: 'eve@other.test', groups: [] });
  });
});

describe('how the secret is sent (OIDC_TOKEN_AUTH)', () => {
  it('basic by default (the provider lists it), in the form with OIDC_TOKEN_AUTH=client_secret_post', async () => {
    for (const [tokenAuth, seen] of [
      [null, 'basic'],
      ['client_secret_post', 'post'],
    ] as const) {
      const vars = {
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_ID: provider.clientId,
        ...(tokenAuth ? { OIDC_TOKEN_AUTH: tokenAuth } : {}),
      };
      const g = await startHarness(vars, { OIDC_CLIENT_SECRET: provider.clientSecret });
      provider.register(`${g.gateway.url}/auth/callback`);
      afterTest(() => provider.register(`${h.gateway.url}/auth/callback`));
      const { reply } = await signIn(g.gateway, 'bob@example.com');
      expect(reply.status, reply.body.toString()).toBe(303);
      expect(provider.lastTokenAuth()).toBe(seen);
    }
  });
});

describe('on https', () => {
  it('the state cookie and the identity cookie are __Host-, Secure', async () => {
    const g = await startHarness(
      { OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: provider.clientId },
      { OIDC_CLIENT_SECRET: provider.clientSecret } as Record<string, string>,
      { https: true },
    );
    provider.register(`${g.gateway.url}/auth/callback`);
    afterTest(() => provider.register(`${h.gateway.url}/auth/callback`));
    const jar = new Jar();
    const login = await gatewayGet(g.gateway, jar, '/auth/login');
    expect(login.status).toBe(302);
    const state = setCookies(login.headers).find((l) => l.startsWith('__Host-porthole_oidc='));
    expect(state).toMatch(/; Secure/);
    expect(state).toMatch(/; Path=\/;/);
    expect(new URL(login.headers.location as string).searchParams.get('redirect_uri')).toBe(
      `${g.gateway.url}/auth/callback`,
    );
    const callback = await atProvider(login.headers.location as string, 'alice@example.com');
    const reply = await gatewayGet(g.gateway, jar, callback.pathname + callback.search);
    expect(reply.status, reply.body.toString()).toBe(303);
    const identity = setCookies(reply.headers).find((l) => l.startsWith('__Host-porthole_identity='));
    expect(identity).toMatch(/; Secure/);
    expect(setCookies(reply.headers).some((l) => l.startsWith('porthole_identity='))).toBe(false);
    expect((await whoAmI(g.gateway, jar)).json).toMatchObject({ signedIn: true, email: 'alice@example.com' });
    // The plain name is not read on https.
    const plain = new Jar();
    plain.cookies.set('porthole_identity', jar.cookies.get('__Host-porthole_identity')!);
    expect((await whoAmI(g.gateway, plain)).json.signedIn).toBe(false);
  });
});
