/**
 * Signing in with another account after a sign-out (the refusal pages' advice): the provider keeps a
 * session of its own, so a plain `/auth/login` signs the same account in again without asking;
 * `/auth/login?prompt=login` passes `prompt=login` on, and the provider asks who signs in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness';
import { atProvider, gatewayGet, Jar, startLogin, whoAmI } from './oidc/flow';
import { startProvider, type TestProvider } from './oidc/provider';

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

/** Sign in through `/auth/login<query>`, typing `email` if the provider asks; `atIdp` keeps the provider's cookies. */
async function signInVia(query: string, email: string, jar: Jar, atIdp: Jar): Promise<string> {
  const authorization = await startLogin(h.gateway, jar);
  const url = query ? (await gatewayGet(h.gateway, jar, `/auth/login${query}`)).headers.location! : authorization;
  const callback = await atProvider(url, email, atIdp);
  const reply = await gatewayGet(h.gateway, jar, callback.pathname + callback.search);
  expect(reply.status, reply.body.toString()).toBe(303);
  return (await whoAmI(h.gateway, jar)).json.email as string;
}

async function signOut(jar: Jar): Promise<void> {
  const reply = await gatewayGet(h.gateway, jar, '/auth/logout', { origin: h.gateway.url }, 'POST');
  expect(reply.status).toBe(303);
}

describe('sign in with another account after signing out', () => {
  it('/auth/login?prompt=login sends prompt=login; a plain /auth/login sends no prompt', async () => {
    const jar = new Jar();
    const plain = new URL(await startLogin(h.gateway, jar));
    expect(plain.searchParams.has('prompt')).toBe(false);
    const asked = new URL((await gatewayGet(h.gateway, jar, '/auth/login?prompt=login')).headers.location!);
    expect(asked.searchParams.get('prompt')).toBe('login');
    // Only `login` is passed on.
    const other = new URL((await gatewayGet(h.gateway, jar, '/auth/login?prompt=none')).headers.location!);
    expect(other.searchParams.has('prompt')).toBe(false);
  });

  it('a plain sign-in after sign-out is alice again (the provider remembers her); prompt=login lets bob in', async () => {
    const jar = new Jar();
    const atIdp = new Jar();
    expect(await signInVia('', 'alice@example.com', jar, atIdp)).toBe('alice@example.com');
    await signOut(jar);
    // The provider does not ask: whatever is "typed", alice is signed in again.
    expect(await signInVia('', 'bob@example.com', jar, atIdp)).toBe('alice@example.com');
    await signOut(jar);
    expect(await signInVia('?prompt=login', 'bob@example.com', jar, atIdp)).toBe('bob@example.com');
  });

  it('the signed-out page and the refusals point to it', async () => {
    const page = await gatewayGet(h.gateway, new Jar(), '/auth', { accept: 'text/html' });
    expect(page.body.toString()).toContain('href="/auth/login?prompt=login"');
    const logout = await gatewayGet(h.gateway, new Jar(), '/auth/logout', { accept: 'text/html' });
    expect(logout.body.toString()).toContain('does not sign you out of your identity provider');
  });
});
