/**
 * Attack (issue 18): `/auth/login?return=` with characters a Location header cannot carry as they
 * are (non-ASCII, U+2028): the sign-in must not end in a 500 after the provider (the state cookie
 * spent, the browser stuck); the return is refused up front (400 `return_invalid`) or sent back
 * percent-encoded, on the control plane.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness } from './harness';
import { gatewayGet, Jar, signIn } from './oidc/flow';
import { type TestProvider } from './oidc/provider';
import { startProviderHarness } from './oidc/identity-setup';

let provider: TestProvider;
let h: Harness;

beforeAll(async () => {
  ({ provider, h } = await startProviderHarness());
});
afterAll(async () => {
  await h?.stop();
  await provider?.stop();
});

/** `return` values as sent in the query (percent-encoded), and as the test's sign-in sends them. */
it.each([
  ['%2F%C3%A9%3Fq%3D%C3%BC', '/é?q=ü'],
  ['%2Fa%E2%80%A8b', '/a\u2028b'],
  ['%2F%ED%A0%80', '/\ufffd'],
  ['%2F%FF', '/\ufffd'],
])('return %s: refused up front or kept on the control plane', async (raw, ret) => {
  const jar = new Jar();
  const login = await gatewayGet(h.gateway, jar, `/auth/login?return=${raw}`);
  if (login.status === 400) {
    expect(JSON.parse(login.body.toString())).toMatchObject({ error: 'return_invalid' });
    return;
  }
  expect(login.status).toBe(302);
  const { reply } = await signIn(h.gateway, 'alice@example.com', { returnTo: ret });
  expect(reply.status, reply.body.toString()).toBe(303);
  const location = String(reply.headers.location);
  expect(location.startsWith('/') && !location.startsWith('//')).toBe(true);
  expect(new URL(location, h.gateway.url).origin).toBe(new URL(h.gateway.url).origin);
});
