/**
 * Attack (issue 18): a copy of the owner's identity cookie kept from before a sign-out (a shared
 * computer's saved cookies, a stolen cookie) is replayed at the dashboard of a session the sign-in
 * had opened. Sign-out told that session the sign-in's `sid` is signed out, and its port cookies are
 * refused; the dashboard (read by identity on each request) must refuse it too, and so must the
 * page-token renewal (the owner API's way in), with 401 `signed_out`. Another sign-in of the same
 * owner still opens it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, type Reply, request, startAgent, startOrigin } from './harness';
import { browse, HostJar, last, NAVIGATE } from './host-jar';
import { signIn } from './oidc/flow';
import { type TestProvider } from './oidc/provider';
import { createIdentitySession, startProviderHarness } from './oidc/identity-setup';

let provider: TestProvider;
let h: Harness;
let session: string;
let url: string;

beforeAll(async () => {
  ({ provider, h } = await startProviderHarness());
  const body = await createIdentitySession(h, { owner: { email: 'alice@example.com' } });
  session = body.session;
  const origin = await startOrigin((_req, res) => res.end('app'));
  const agent = await startAgent(h, [origin.port], { token: body.token, session, visibility: () => 'private' });
  url = ((await agent.event((e) => e.event === 'port.open', 'port.open')) as { url: string }).url;
}, 60_000);
afterAll(async () => {
  await h?.stop();
  await provider?.stop();
});

const control = () => new URL(h.gateway.url).host;
const code = (reply: Reply) => reply.headers['x-porthole-error'];

async function aliceBrowser(): Promise<HostJar> {
  const { reply } = await signIn(h.gateway, 'alice@example.com');
  expect(reply.status).toBe(303);
  const jar = new HostJar();
  jar.store(control(), reply.headers['set-cookie']);
  return jar;
}

const dashboard = (cookie: Record<string, string>) =>
  request(h.gateway, `/s/${session}`, { headers: { accept: 'application/json', ...cookie } });
const renew = (cookie: Record<string, string>) =>
  request(h.gateway, `/s/${session}/page-token`, {
    method: 'POST',
    headers: { accept: 'application/json', 'x-porthole-page': 'renew', origin: h.gateway.url, ...cookie },
  });

it("a kept copy of a signed-out owner's identity cookie opens neither the dashboard nor a page token", async () => {
  const alice = await aliceBrowser();
  // She opens the private port (the identity cookie now remembers the session) and the dashboard.
  expect(last(await browse(h.gateway, url, alice)).body.toString()).toBe('app');
  const kept = alice.header(control());
  expect((await dashboard(kept)).status).toBe(200);
  expect((await renew(kept)).status).toBe(200);

  const out = await request(h.gateway, '/auth/logout', { method: 'POST', headers: { origin: h.gateway.url, ...kept } });
  expect(out.status).toBe(303);

  const replayed = await dashboard(kept);
  expect(replayed.status, replayed.body.toString()).toBe(401);
  expect(code(replayed)).toBe('signed_out');
  const token = await renew(kept);
  expect(token.status, token.body.toString()).toBe(401);
  expect(code(token)).toBe('signed_out');

  // A navigation with it is sent to sign in again (which it cannot do as alice), never the page.
  const navigated = await request(h.gateway, `/s/${session}`, { headers: { ...NAVIGATE, ...kept } });
  expect(navigated.status).toBe(303);
  expect(new URL(String(navigated.headers.location)).pathname).toBe('/auth/login');

  // Positive control: a new sign-in of the same owner (another sid) opens it.
  expect((await dashboard((await aliceBrowser()).header(control()))).status).toBe(200);
});
