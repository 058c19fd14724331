/**
 * Attack (issue 18): a session keeps at most MAX_SIGNED_OUT (1024) signed-out sign-ins; one more
 * and it forgets them all and refuses every identity credential issued before then (the cutoff).
 * A copy of bob's identity cookie kept from before his sign-out is refused at the port (its sid is
 * listed). After 1025 other sign-outs of the session (a flood, or a busy team's day), the list is
 * gone: the kept copy must still not get a new ticket and port cookie (it is sent to sign in again,
 * which it cannot do as bob). The cutoff is about when a sign-in began (the identity cookie's
 * expiry less its lifetime), not when a ticket was minted.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, request, startAgent, startOrigin } from './harness';
import { browse, HostJar, last } from './host-jar';
import { signIn } from './oidc/flow';
import { type TestProvider } from './oidc/provider';
import { kidFor } from './tokens';
import { createIdentitySession, startProviderHarness } from './oidc/identity-setup';

/** The gateway's MAX_SIGNED_OUT (session/identity-store.ts), plus one. */
const FLOOD = 1025;

let provider: TestProvider;
let h: Harness;
let session: string;
let url: string;

beforeAll(async () => {
  ({ provider, h } = await startProviderHarness());
  const body = await createIdentitySession(h, { owner: { email: 'alice@example.com' }, policy: { groups: ['eng'] } });
  session = body.session;
  const origin = await startOrigin((_req, res) => res.end('app'));
  const agent = await startAgent(h, [origin.port], { token: body.token, session, visibility: () => 'org' });
  url = ((await agent.event((e) => e.event === 'port.open', 'port.open')) as { url: string }).url;
}, 60_000);
afterAll(async () => {
  await h?.stop();
  await provider?.stop();
});

const control = () => new URL(h.gateway.url).host;

/** An identity cookie as the gateway mints one, for another sign-in of the eng group that opened `session`. */
async function otherSignIn(): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    idp: provider.issuer,
    email: `m-${randomUUID()}@example.com`,
    ev: true,
    groups: ['eng'],
    src: 'oidc',
    sid: randomUUID(),
    sessions: [session],
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', kid: kidFor(h.tokenSecret), typ: 'JWT' })
    .setIssuer('porthole')
    .setAudience('porthole:identity')
    .setSubject(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(h.tokenSecret));
}

async function signOut(cookie: string): Promise<void> {
  const out = await request(h.gateway, '/auth/logout', { method: 'POST', headers: { origin: h.gateway.url, cookie } });
  expect(out.status, out.body.toString()).toBe(303);
}

/**
 * A fresh browser (no port cookie) holding `identity` on the control domain, navigating to the org
 * port: it must not get the app, and is sent to sign in again (`/auth/login`'s 302 to the provider).
 */
async function expectSentToSignIn(identity: Record<string, string>): Promise<void> {
  const jar = new HostJar();
  const pairs = (identity.cookie ?? '').split('; ').map((p) => p.split('=') as [string, string]);
  jar.hosts.set(control(), new Map(pairs));
  const hops = await browse(h.gateway, url, jar);
  expect(last(hops).body.toString()).not.toBe('app');
  expect(new URL(hops.at(-1)!.url).pathname).toBe('/auth/login');
  expect(last(hops).status).toBe(302);
  expect(hops.some((hop) => hop.reply.headers['set-cookie']?.some((l) => /^porthole=[^;]/.test(l)))).toBe(false);
}

it('a signed-out sign-in stays out after a flood of sign-outs overflows the list', async () => {
  const { reply } = await signIn(h.gateway, 'bob@example.com');
  const bob = new HostJar();
  bob.store(control(), reply.headers['set-cookie']);
  expect(last(await browse(h.gateway, url, bob)).body.toString()).toBe('app');
  const kept = bob.header(control());
  await signOut(kept.cookie!);
  await expectSentToSignIn(kept);

  // The flood, 16 at a time: each a sign-in of this session signing out.
  for (let i = 0; i < FLOOD; i += 16) {
    const batch = Math.min(16, FLOOD - i);
    const cookies = await Promise.all(Array.from({ length: batch }, () => otherSignIn()));
    await Promise.all(cookies.map((c) => signOut(`porthole_identity=${c}`)));
  }
  // Past the cutoff's second (now + 1 at the overflow): a ticket minted now is "issued after" it.
  const past = Math.floor(Date.now() / 1000) + 2;
  while (Math.floor(Date.now() / 1000) < past) await sleep(100);

  await expectSentToSignIn(kept);

  // Positive control: a new sign-in of bob (begun after the cutoff) gets in.
  const again = new HostJar();
  again.store(control(), (await signIn(h.gateway, 'bob@example.com')).reply.headers['set-cookie']);
  expect(last(await browse(h.gateway, url, again)).body.toString()).toBe('app');
}, 120_000);
