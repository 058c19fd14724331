/**
 * ATTACK (issue 20, TCP forwarding, credentials): raw TCP forwarding is the owner's
 * (docs/tcp-forwarding.md, "Who may"). Everyone else who holds something of the session's (a share
 * link's token or cookie, the session token, another session's owner token, the owner's preview
 * cookie from a port host, a forged or expired owner token) or nothing at all (a public port
 * included) is refused by the check and by the upgrade alike, with the owner API's status and code,
 * and the origin (a TCP server on loopback counting its connections) sees nothing. Then "sign out
 * everywhere" while forwarded connections are open (a raw WebSocket and the real `porthole forward`):
 * both end (1008 naming the sign-out; the local side reset), the origin's connections close, and the
 * old token is refused `signed_out`. Access and organisation members: attack-i20-forward-org.test.ts.
 */
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Visibility } from '../../protocol';
import { type Harness, request, type RunningAgent, startAgent, startHarness, waitFor } from './harness';
import { bothRefused, forwardCheck, forwardWs, isRefusal, type OpenForward, sendBytes } from './forward-access-kit';
import { runCli } from './cli-run';
import { connectLocal, echo, ownerToken, scratch, startForward, tcpOrigin } from './tcp-kit';
import { aud, kidFor, mintForTest } from './tokens';

let h: Harness;
let a: RunningAgent;
let other: RunningAgent;
const origins = new Map<Visibility, Awaited<ReturnType<typeof tcpOrigin>>>();
const port = (visibility: Visibility) => origins.get(visibility)!.port;
/** Credentials of session `a` (and one of `other`), made once. */
const creds: Record<string, string> = {};

/** The cookie a 303's Set-Cookie sets (name=value). */
const cookieOf = (headers: Record<string, unknown>) => String((headers['set-cookie'] as string[])[0]).split(';')[0]!;

beforeAll(async () => {
  h = await startHarness();
  for (const visibility of ['private', 'link', 'public'] as const) origins.set(visibility, await tcpOrigin(echo));
  const byPort = new Map([...origins].map(([visibility, origin]) => [origin.port, visibility]));
  a = await startAgent(h, [...byPort.keys()], { visibility: (p) => byPort.get(p) });
  for (const p of byPort.keys()) await a.event((e) => e.event === 'port.open' && e.port === p, `port.open ${p}`);
  other = await startAgent(h, []);
  creds.owner = await ownerToken(h, a.session, a.token);
  creds.otherOwner = await ownerToken(h, other.session, other.token);
  const link = await a.agent.api.createLink(port('link'), { ttlSeconds: 600 });
  creds.share = new URL(link.url).searchParams.get('porthole_share')!;
  creds.shareCookie = cookieOf((await request(h.gateway, link.url, { headers: { accept: 'text/html' } })).headers);
  // The owner's preview cookie, as the login link sets it on the private port's host.
  const login = await a.agent.api.loginLink(port('private'));
  const hop = await request(h.gateway, login.url, { headers: { accept: 'text/html' } });
  const opened = await request(h.gateway, String(hop.headers.location), { headers: { accept: 'text/html' } });
  creds.previewCookie = cookieOf(opened.headers);
  creds.forged = await mintForTest('not-the-gateway-secret', {
    aud: aud.owner,
    sub: a.session,
    kid: kidFor(h.tokenSecret),
  });
  creds.expired = await mintForTest(h.tokenSecret, { aud: aud.owner, sub: a.session, expiresIn: -60 });
}, 60_000);
afterAll(async () => {
  await Promise.all([a?.agent.stop(), other?.agent.stop()]);
  await Promise.all([...origins.values()].map((origin) => origin.close()));
  await h?.stop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('ATTACK: forwarding without an owner credential', () => {
  const cases: Array<[string, Visibility, () => Record<string, string>, number, string, RegExp, string?]> = [
    ['no credential', 'private', () => ({}), 401, 'unauthorized', /needs an owner token/],
    ['no credential', 'public', () => ({}), 401, 'unauthorized', /needs an owner token/],
    ['a share link token as Bearer', 'link', () => bearer(creds.share!), 401, 'unauthorized', /owner token/],
    ['a share link cookie', 'link', () => ({ cookie: creds.shareCookie! }), 401, 'unauthorized', /owner token/],
    ['a share link in the URL', 'link', () => ({}), 401, 'unauthorized', /owner token/, 'share'],
    ['the session token', 'private', () => bearer(a.token), 401, 'unauthorized', /owner token/],
    ["another session's owner token", 'private', () => bearer(creds.otherOwner!), 403, 'forbidden', /another session/],
    ['a forged owner token', 'private', () => bearer(creds.forged!), 401, 'unauthorized', /is not valid/],
    ['an expired owner token', 'private', () => bearer(creds.expired!), 401, 'unauthorized', /has expired/],
    ["the owner's preview cookie", 'private', () => ({ cookie: creds.previewCookie! }), 401, 'unauthorized', /owner/],
    [
      "the owner's preview cookie as Bearer",
      'private',
      () => bearer(creds.previewCookie!.split('=')[1]!),
      401,
      'unauthorized',
      /owner token is not valid/,
    ],
    [
      "the owner's preview cookie as X-Porthole-Token",
      'private',
      () => ({ 'x-porthole-token': creds.previewCookie!.split('=')[1]! }),
      401,
      'unauthorized',
      /needs an owner token/,
    ],
  ];

  it.each(cases)(
    '%s (a %s port): the check and the upgrade are refused alike, the origin sees nothing',
    async (_what, visibility, headers, status, code, message, query) => {
      const target = query === 'share' ? `${port(visibility)}?porthole_share=${creds.share}` : port(visibility);
      const { check, upgrade } = await bothRefused(h, a.session, target, headers());
      expect(check).toMatchObject({ status, error: code, message: expect.stringMatching(message) });
      expect(upgrade).toEqual(check);
      for (const origin of origins.values()) expect(origin.accepted()).toBe(0);
    },
  );

  it('the real porthole forward with a share link token stops before listening; the origin sees nothing', async () => {
    const run = runCli(['forward', `${port('link')}:0`, '--gateway', h.gateway.url], scratch(), {
      PORTHOLE_OWNER_TOKEN: creds.share,
    });
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toMatch(/owner token is not valid/);
    expect(run.stdout()).not.toMatch(/forwarding/);
    for (const origin of origins.values()) expect(origin.accepted()).toBe(0);
  });
});

describe('ATTACK: forwarded connections outlive sign out everywhere', () => {
  it('sign out everywhere closes the open WebSocket (1008) and the CLI connection, resets the origin, refuses the token', async () => {
    const sockets: net.Socket[] = [];
    const closedSockets = new Set<net.Socket>();
    const origin = await tcpOrigin((socket) => {
      sockets.push(socket);
      socket.on('close', () => closedSockets.add(socket));
      echo(socket);
    });
    const s = await startAgent(h, [origin.port], { visibility: () => 'private' });
    await s.event((e) => e.event === 'port.open' && e.port === origin.port, 'port.open');
    const token = await ownerToken(h, s.session, s.token);
    expect(await forwardCheck(h, s.session, origin.port, bearer(token))).toMatchObject({ status: 200 });

    const open = (await forwardWs(h, s.session, origin.port, bearer(token))) as OpenForward;
    expect(isRefusal(open)).toBe(false);
    sendBytes(open, 'hello');
    await waitFor(() => open.bytes() === 'hello', 'the echo over the raw WebSocket');
    const { run, local } = await startForward(h, origin.port, { PORTHOLE_OWNER_TOKEN: token });
    const cli = connectLocal(local);
    cli.socket.write('via cli');
    await new Promise<void>((resolve) => cli.socket.once('data', () => resolve()));
    expect(origin.accepted()).toBe(2);

    const signedOut = await request(h.gateway, `/api/sessions/${s.session}/signout`, {
      method: 'POST',
      headers: { ...bearer(await ownerToken(h, s.session, s.token)), 'content-type': 'application/json' },
      body: '{}',
    });
    expect(signedOut.status).toBe(200);
    expect(await open.closed()).toEqual({ code: 1008, reason: expect.stringMatching(/signed out everywhere/) });
    expect((await cli.done).ended).toBe('ECONNRESET');
    await waitFor(
      () => /connection 1 to port \d+ ended: .*signed out everywhere/.test(run.stderr()) || undefined,
      'why',
    );
    await waitFor(() => closedSockets.size === 2 || undefined, "the origin's connections to close");

    const { check, upgrade } = await bothRefused(h, s.session, origin.port, bearer(token));
    expect(check).toMatchObject({
      status: 401,
      error: 'signed_out',
      message: expect.stringMatching(/sign out everywhere/),
    });
    expect(upgrade).toEqual(check);
    const again = connectLocal(local);
    expect(await again.done).toMatchObject({ bytes: 0, ended: 'ECONNRESET' });
    await waitFor(
      () => /connection 2 to port \d+ refused: .*\(401 signed_out\)/.test(run.stderr()) || undefined,
      'refusal',
    );
    expect(origin.accepted()).toBe(2);
  }, 60_000);
});

describe('ATTACK: a forwarded connection outlives its owner token', () => {
  it("an owner token that expires while its connection is open ends it (1008, the reason), the origin's too", async () => {
    let closed = 0;
    const origin = await tcpOrigin((socket) => {
      socket.on('close', () => closed++);
      echo(socket);
    });
    const s = await startAgent(h, [origin.port], { visibility: () => 'private' });
    await s.event((e) => e.event === 'port.open' && e.port === origin.port, 'port.open');
    // A genuine owner token with 3 s left (the API mints at least 60 s).
    const token = await mintForTest(h.tokenSecret, { aud: aud.owner, sub: s.session, expiresIn: 3 });
    const open = (await forwardWs(h, s.session, origin.port, bearer(token))) as OpenForward;
    expect(isRefusal(open), JSON.stringify(open)).toBe(false);
    sendBytes(open, 'hello');
    await waitFor(() => open.bytes() === 'hello', 'the echo');
    expect(await open.closed(10_000)).toEqual({ code: 1008, reason: expect.stringMatching(/has expired/) });
    await waitFor(() => closed === 1 || undefined, "the origin's connection to close");
    const { check, upgrade } = await bothRefused(h, s.session, origin.port, bearer(token));
    expect(check).toMatchObject({ status: 401, error: 'unauthorized', message: expect.stringMatching(/has expired/) });
    expect(upgrade).toEqual(check);
    expect(origin.accepted()).toBe(1);
  }, 30_000);
});
