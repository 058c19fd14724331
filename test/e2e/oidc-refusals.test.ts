/**
 * What OIDC sign-in refuses (docs/identity.md), against a real provider on loopback
 * (oidc/provider.ts) whose token answers are rewritten with its own key (so the gateway's claim
 * check is what refuses), or another key, or a broken signature (so the JWKS check is what
 * refuses): each answer's status, code and words, and never an identity cookie.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterTest, type Harness, type Reply, startHarness } from './harness';
import { atProvider, gatewayGet, Jar, setCookies, signIn, startLogin } from './oidc/flow';
import { type Forgery, startProvider, type TestProvider } from './oidc/provider';

let provider: TestProvider;
let h: Harness;

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

const body = (reply: Reply) => JSON.parse(reply.body.toString()) as { error: string; message: string };
const noIdentityCookie = (reply: Reply) =>
  expect(setCookies(reply.headers).filter((l) => /^porthole_identity=[^;]/.test(l))).toEqual([]);

/** A sign-in whose ID token is rewritten by `forgery`: refused 401 `oidc_failed` with `words`. */
async function forged(forgery: Forgery, words: RegExp): Promise<void> {
  provider.forge(forgery);
  afterTest(() => provider.forge(null));
  const { reply, jar } = await signIn(h.gateway, 'alice@example.com');
  expect(reply.status, reply.body.toString()).toBe(401);
  expect(body(reply).error).toBe('oidc_failed');
  expect(body(reply).message).toMatch(words);
  expect(body(reply).message).not.toMatch(/eyJ/);
  noIdentityCookie(reply);
  expect(jar.cookies.has('porthole_identity')).toBe(false);
}

const now = () => Math.floor(Date.now() / 1000);

describe('the ID token', () => {
  it('a positive control: the unforged sign-in works', async () => {
    const { reply } = await signIn(h.gateway, 'bob@example.com');
    expect(reply.status).toBe(303);
  });

  it('tampered (claims changed, the signature kept) is refused by the JWKS check', async () => {
    await forged({ signer: 'keep', claims: (c) => ({ ...c, email: 'bob@example.com', sub: 'bob' }) }, /signature/);
  });

  it('signed with another key (same kid) is refused by the JWKS check', async () => {
    await forged({ signer: 'other' }, /signature/);
  });

  it('expired (signed by the provider) is refused', async () => {
    await forged({ claims: (c) => ({ ...c, iat: now() - 7200, exp: now() - 3600 }) }, /expired/);
  });

  it('for another audience is refused', async () => {
    await forged({ claims: (c) => ({ ...c, aud: 'someone-else' }) }, /another client/);
  });

  it('from another issuer is refused', async () => {
    await forged({ claims: (c) => ({ ...c, iss: 'http://127.0.0.1:9/other' }) }, /another issuer/);
  });

  it("with another sign-in's nonce is refused", async () => {
    await forged({ claims: (c) => ({ ...c, nonce: 'not-this-one' }) }, /nonce/);
  });
});

describe('state and replay', () => {
  it('a callback whose state is not the cookie’s is refused 400 oidc_state', async () => {
    const jar = new Jar();
    const callback = await atProvider(await startLogin(h.gateway, jar), 'alice@example.com');
    callback.searchParams.set('state', 'forged-state');
    const reply = await gatewayGet(h.gateway, jar, callback.pathname + callback.search);
    expect(reply.status).toBe(400);
    expect(body(reply).error).toBe('oidc_state');
    noIdentityCookie(reply);
  });

  it('a callback without the state cookie is refused 400 oidc_state', async () => {
    const callback = await atProvider(await startLogin(h.gateway, new Jar()), 'alice@example.com');
    const reply = await gatewayGet(h.gateway, new Jar(), callback.pathname + callback.search);
    expect(reply.status).toBe(400);
    expect(body(reply).error).toBe('oidc_state');
    expect(body(reply).message).toMatch(/no sign-in in progress/);
    noIdentityCookie(reply);
  });

  it('a replayed callback: without the state cookie 400, with it the provider refuses the used code (401)', async () => {
    const jar = new Jar();
    const callback = await atProvider(await startLogin(h.gateway, jar), 'alice@example.com');
    const before = jar.copy();
    const first = await gatewayGet(h.gateway, jar, callback.pathname + callback.search);
    expect(first.status).toBe(303);
    // The same browser again: the callback cleared its state cookie.
    const again = await gatewayGet(h.gateway, new Jar(), callback.pathname + callback.search, {
      cookie: [...jar.cookies]
        .filter(([k]) => k !== 'porthole_identity')
        .map(([k, v]) => `${k}=${v}`)
        .join('; '),
    });
    expect(again.status).toBe(400);
    expect(body(again).error).toBe('oidc_state');
    // With the state cookie kept from before (a copy): the state matches, the code is spent.
    const tokensBefore = provider.tokenRequests();
    const replay = await gatewayGet(h.gateway, before, callback.pathname + callback.search);
    expect(replay.status).toBe(401);
    expect(body(replay).error).toBe('oidc_failed');
    expect(body(replay).message).toMatch(/refused the authorization code \(invalid_grant\)/);
    expect(provider.tokenRequests()).toBe(tokensBefore + 1);
    noIdentityCookie(replay);
  });

  it('an error from the provider (the user aborted) is 401 oidc_failed naming it', async () => {
    const jar = new Jar();
    const location = new URL(await startLogin(h.gateway, jar));
    const state = location.searchParams.get('state')!;
    const reply = await gatewayGet(
      h.gateway,
      jar,
      `/auth/callback?error=access_denied&state=${state}&iss=${encodeURIComponent(provider.issuer)}`,
    );
    expect(reply.status).toBe(401);
    expect(body(reply).error).toBe('oidc_failed');
    expect(body(reply).message).toMatch(/access_denied/);
    noIdentityCookie(reply);
  });
});

describe('return path', () => {
  it('is kept: the callback sends the browser back to it', async () => {
    const { reply } = await signIn(h.gateway, 'alice@example.com', { returnTo: '/s/abc?port=3000&x=1' });
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('/s/abc?port=3000&x=1');
  });

  it.each([
    '//evil.test/',
    'https://evil.test/',
    '/\\evil.test',
    '\\\\evil.test',
    'evil.test',
    '/a//b',
    'javascript:alert(1)',
    '/ok\nLocation: x',
    `/${'a'.repeat(2048)}`,
  ])('refuses %j with 400 return_invalid', async (returnTo) => {
    const jar = new Jar();
    const reply = await gatewayGet(h.gateway, jar, `/auth/login?return=${encodeURIComponent(returnTo)}`);
    expect(reply.status).toBe(400);
    expect(body(reply).error).toBe('return_invalid');
    expect(jar.cookies.has('porthole_oidc')).toBe(false);
  });
});

describe('the provider unreachable', () => {
  it('nothing listening: /auth/login is 502 oidc_unavailable', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const g = await startHarness({ OIDC_ISSUER: `http://127.0.0.1:${port}`, OIDC_CLIENT_ID: 'x' });
    const reply = await gatewayGet(g.gateway, new Jar(), '/auth/login');
    expect(reply.status).toBe(502);
    expect(body(reply).error).toBe('oidc_unavailable');
    // The URL it tried, so a wrong OIDC_ISSUER shows.
    expect(body(reply).message).toContain(`discovery at http://127.0.0.1:${port}/.well-known/openid-configuration`);
  });

  it('answering nothing: /auth/login is 502 oidc_unavailable after the 5 s bound', async () => {
    const silent = http.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    afterTest(() => new Promise<void>((resolve) => (silent.closeAllConnections(), silent.close(() => resolve()))));
    const g = await startHarness({
      OIDC_ISSUER: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`,
      OIDC_CLIENT_ID: 'x',
    });
    const started = Date.now();
    const reply = await gatewayGet(g.gateway, new Jar(), '/auth/login');
    expect(reply.status).toBe(502);
    expect(body(reply).error).toBe('oidc_unavailable');
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_500);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('the provider gone during a sign-in', () => {
  it('the callback is 502 oidc_unavailable (the token request fails), no identity cookie', async () => {
    const gone = await startProvider();
    afterTest(() => gone.stop());
    const g = await startHarness({ OIDC_ISSUER: gone.issuer, OIDC_CLIENT_ID: gone.clientId }, {
      OIDC_CLIENT_SECRET: gone.clientSecret,
    } as Record<string, string>);
    gone.register(`${g.gateway.url}/auth/callback`);
    const jar = new Jar();
    const callback = await atProvider(await startLogin(g.gateway, jar), 'alice@example.com');
    await gone.stop();
    const reply = await gatewayGet(g.gateway, jar, callback.pathname + callback.search);
    expect(reply.status).toBe(502);
    expect(body(reply).error).toBe('oidc_unavailable');
    expect(body(reply).message).toMatch(/token request/);
    noIdentityCookie(reply);
  });
});

describe('not configured', () => {
  it('/auth/login and /auth/callback are 404 oidc_not_configured; /auth says not signed in', async () => {
    const g = await startHarness();
    for (const path of ['/auth/login', '/auth/callback?code=x&state=y']) {
      const reply = await gatewayGet(g.gateway, new Jar(), path);
      expect(reply.status).toBe(404);
      expect(body(reply).error).toBe('oidc_not_configured');
    }
    const who = await gatewayGet(g.gateway, new Jar(), '/auth', { accept: 'application/json' });
    expect(JSON.parse(who.body.toString())).toMatchObject({ signedIn: false });
  });
});
