/**
 * Attack (issue 18): a member's port cookie lives COOKIE_TTL_SECONDS (12 h) from when it was minted,
 * which may be long after the sign-in it came from ends. Signing out lists the sign-in's `sid` in
 * each session it opened only until the sign-in would have ended; once that entry is dropped (the
 * next sign-out of the session prunes it), a member cookie of the signed-out sign-in was taken
 * again (the Session object's in-memory list of recent sign-outs, 256 sids, is the only backstop). The entry must last as long as any credential of the sign-in can (docs/identity.md).
 * Here the sign-in lasts 4 s, so its end is waited for on the clock.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeJwt, SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, request, startAgent, startOrigin } from './harness';
import { browse, HostJar, last } from './host-jar';
import { type TestProvider } from './oidc/provider';
import { kidFor } from './tokens';
import { createIdentitySession, startProviderHarness } from './oidc/identity-setup';

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

/** An identity cookie as the gateway mints one: a member (group eng) signed in until `exp`, having opened `opened`. */
function identityCookie(exp: number, opened: string[]): Promise<string> {
  const claims = { idp: provider.issuer, email: 'bob@example.com', ev: true, groups: ['eng'], src: 'oidc' };
  return new SignJWT({ ...claims, sid: randomUUID(), sessions: opened })
    .setProtectedHeader({ alg: 'HS256', kid: kidFor(h.tokenSecret), typ: 'JWT' })
    .setIssuer('porthole')
    .setAudience('porthole:identity')
    .setSubject('bob')
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(h.tokenSecret));
}

const signOut = (cookie: string) =>
  request(h.gateway, '/auth/logout', {
    method: 'POST',
    headers: { origin: h.gateway.url, cookie: `porthole_identity=${cookie}` },
  });

it("a member cookie of a signed-out sign-in stays refused after the sign-in's own end", async () => {
  const ends = Math.floor(Date.now() / 1000) + 4;
  const identity = await identityCookie(ends, []);
  const jar = new HostJar();
  jar.store(new URL(h.gateway.url).host, [`porthole_identity=${identity}; Path=/`]);
  expect(last(await browse(h.gateway, url, jar)).body.toString()).toBe('app');
  const portCookie = jar.header(new URL(url).host);
  // The sign-in now remembers the session (its cookie was renewed on the way): sign that one out.
  expect((await signOut(jar.hosts.get(new URL(h.gateway.url).host)!.get('porthole_identity')!)).status).toBe(303);
  expect((await request(h.gateway, url, { headers: portCookie })).status).toBe(401);

  while (Math.floor(Date.now() / 1000) <= ends + 1) await sleep(100);
  // Other sign-outs of the session: the first prunes the entries it thinks have ended; 257 of them
  // also push bob's sid out of the Session object's in-memory backstop (grants.ts, 256 sids).
  for (let i = 0; i < 257; i += 16) {
    const cookies = await Promise.all(
      Array.from({ length: Math.min(16, 257 - i) }, () => identityCookie(ends + 3600, [session])),
    );
    for (const reply of await Promise.all(cookies.map(signOut))) expect(reply.status).toBe(303);
  }

  const after = await request(h.gateway, url, { headers: { ...portCookie, accept: 'application/json' } });
  expect(after.body.toString()).not.toBe('app');
  expect(after.status, after.body.toString()).toBe(401);
  // signed_out by the list; login_expired since member cookies end with their sign-in (the second test).
  expect(['signed_out', 'login_expired']).toContain(after.headers['x-porthole-error']);
}, 60_000);

it('a member cookie ends with the sign-in it came from, not 12 h after it was minted', async () => {
  const ends = Math.floor(Date.now() / 1000) + 60;
  const jar = new HostJar();
  jar.store(new URL(h.gateway.url).host, [`porthole_identity=${await identityCookie(ends, [])}; Path=/`]);
  const hops = await browse(h.gateway, url, jar);
  expect(last(hops).body.toString()).toBe('app');
  const minted = hops.flatMap((hop) => hop.reply.headers['set-cookie'] ?? []).find((l) => /^porthole=[^;]/.test(l));
  const token = /^porthole=([^;]+)/.exec(minted ?? '')?.[1] ?? '';
  expect(decodeJwt(token).exp).toBeLessThanOrEqual(ends);
  expect(Number(/Max-Age=(\d+)/i.exec(minted ?? '')?.[1])).toBeLessThanOrEqual(60);
});
