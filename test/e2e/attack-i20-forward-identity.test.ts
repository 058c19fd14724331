/**
 * ATTACK (issue 20, TCP forwarding, the OIDC sign-in): a member signed in with the identity cookie
 * (the real sign-in at a local test provider) forwards an org port, then signs out. Signing out
 * tells the sessions the sign-in opened; a forwarded connection must count as opening one, or the
 * open connection outlives the sign-out and the old cookie keeps forwarding (fixed: the check and the
 * upgrade renew the identity cookie to remember the session, as opening a port does). Also: a page of another
 * site cannot use the cookie its browser attaches to a WebSocket (403 `cross_site`).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, request, type RunningAgent, startAgent, waitFor } from './harness';
import { createIdentitySession, startProviderHarness } from './oidc/identity-setup';
import { signIn } from './oidc/flow';
import type { TestProvider } from './oidc/provider';
import { bothRefused, forwardCheck, forwardWs, isRefusal, type OpenForward, sendBytes } from './forward-access-kit';
import { echo, tcpOrigin } from './tcp-kit';

let provider: TestProvider;
let h: Harness;

beforeAll(async () => {
  ({ provider, h } = await startProviderHarness());
}, 60_000);
afterAll(async () => {
  await h?.stop();
  await provider?.stop();
});

/** A session of alice's, group eng its organisation, exposing one echo origin as `org`. */
async function orgSession(): Promise<{
  s: RunningAgent;
  origin: Awaited<ReturnType<typeof tcpOrigin>>;
  closed: () => number;
}> {
  let closed = 0;
  const origin = await tcpOrigin((socket) => {
    socket.on('close', () => closed++);
    echo(socket);
  });
  const created = await createIdentitySession(h, {
    owner: { email: 'alice@example.com' },
    policy: { groups: ['eng'] },
  });
  const s = await startAgent(h, [origin.port], { ...created, visibility: () => 'org' });
  await s.event((e) => e.event === 'port.open' && e.port === origin.port, 'port.open');
  return { s, origin, closed: () => closed };
}

it("a member's sign-out ends the connection forwarded with its cookie (1008), and the old cookie is refused", async () => {
  const { s, origin, closed } = await orgSession();
  const { jar } = await signIn(h.gateway, 'bob@example.com');
  const signedInCookie = jar.header();
  // A client with a cookie jar (curl -b/-c, a browser): the check's answer renews the identity cookie.
  const checked = await forwardCheck(h, s.session, origin.port, { cookie: jar.header() });
  expect(checked).toMatchObject({ status: 200 });
  expect(checked.setCookie, 'the sign-in remembers the session').toHaveLength(1);
  jar.take(checked.setCookie);
  const open = await forwardWs(h, s.session, origin.port, { cookie: jar.header() });
  expect(isRefusal(open), JSON.stringify(open)).toBe(false);
  const member = open as OpenForward;
  sendBytes(member, 'hi');
  await waitFor(() => member.bytes() === 'hi', 'the echo');

  // The browser signs out with the cookie it holds (whatever the forward answered it).
  const out = await request(h.gateway, '/auth/logout', {
    method: 'POST',
    headers: { origin: new URL(h.gateway.url).origin, cookie: jar.header() },
  });
  expect(out.status).toBe(303);
  expect(await member.closed(10_000)).toEqual({ code: 1008, reason: expect.stringMatching(/signed out/) });
  await waitFor(() => closed() === 1 || undefined, "the origin's connection to close");
  // The old cookie (from before the check) and the renewed one are both refused.
  for (const cookie of [signedInCookie, checked.setCookie[0]!.split(';')[0]!]) {
    const { check, upgrade } = await bothRefused(h, s.session, origin.port, { cookie });
    expect(check).toMatchObject({ status: 401, error: 'signed_out' });
    expect(upgrade).toEqual(check);
  }
  expect(origin.accepted()).toBe(1);
}, 60_000);

it('a page of another site cannot forward with the identity cookie its browser attaches: 403 cross_site', async () => {
  const { s, origin } = await orgSession();
  const { jar } = await signIn(h.gateway, 'alice@example.com');
  for (const from of ['https://evil.example', `http://3000-abcdefgh.${'c'.repeat(26)}.localhost:${h.gateway.port}`]) {
    const { check, upgrade } = await bothRefused(h, s.session, origin.port, { cookie: jar.header(), origin: from });
    expect(check).toMatchObject({ status: 403, error: 'cross_site' });
    expect(upgrade).toEqual(check);
  }
  expect(origin.accepted()).toBe(0);
}, 60_000);
