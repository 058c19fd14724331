/**
 * ATTACK (issue 20, TCP forwarding, sign-ins): behind Cloudflare Access (a local team signs the
 * assertions, oidc/access-team.ts), a signed-in member of the session's organisation may forward
 * only ports open to it (org, public); a member on a private or link port is 403
 * `forward_not_allowed`, a signed-in stranger 403 `not_in_org`, a bad assertion 401, and none of
 * them reaches the origin (TCP servers on loopback counting their connections). The same member
 * on an org port reaches it (bytes echo), and loses the connection (1008) when the owner makes the
 * port private. A page of another site cannot forward with the sign-in its browser carries
 * (403 `cross_site`). A member cannot tell a port nothing listens on from a private one. The owner signed in by Access forwards a private port (positive control; it runs
 * after the tests that expect the private origin untouched, as vitest keeps a file's order).
 */
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Visibility } from '../../protocol';
import { freePort, type Harness, request, type RunningAgent, startAgent, startHarness, waitFor } from './harness';
import { type AccessTeam, startAccessTeam } from './oidc/access-team';
import { createIdentitySession } from './oidc/identity-setup';
import { bothRefused, forwardCheck, forwardWs, isRefusal, type OpenForward, sendBytes } from './forward-access-kit';
import { runCli } from './cli-run';
import { connectLocal, echo, ownerToken, scratch, startForward, tcpOrigin } from './tcp-kit';

let team: AccessTeam;
let h: Harness;
let a: RunningAgent;
const origins = new Map<Visibility, Awaited<ReturnType<typeof tcpOrigin>>>();
const port = (visibility: Visibility) => origins.get(visibility)!.port;

beforeAll(async () => {
  team = await startAccessTeam();
  h = await startHarness({ ACCESS_TEAM_DOMAIN: team.teamDomain, ACCESS_AUD: team.audience });
  const created = await createIdentitySession(h, {
    owner: { email: 'alice@example.com' },
    policy: { emailDomains: ['example.com'] },
  });
  for (const visibility of ['private', 'link', 'org', 'public'] as const)
    origins.set(visibility, await tcpOrigin(echo));
  const byPort = new Map([...origins].map(([visibility, origin]) => [origin.port, visibility]));
  a = await startAgent(h, [...byPort.keys()], { ...created, visibility: (p) => byPort.get(p) });
  for (const p of byPort.keys()) await a.event((e) => e.event === 'port.open' && e.port === p, `port.open ${p}`);
}, 60_000);
afterAll(async () => {
  await a?.agent.stop();
  await Promise.all([...origins.values()].map((origin) => origin.close()));
  await h?.stop();
  await team?.stop();
});

const as = async (email: string) => ({ 'cf-access-jwt-assertion': await team.sign({ email, sub: email }) });

describe('ATTACK: forwarding by sign-in', () => {
  it.each([
    ['a stranger (eve@other.test)', 'org', 'eve@other.test', 403, 'not_in_org', /eve@other\.test/],
    ['a stranger (eve@other.test)', 'private', 'eve@other.test', 403, 'not_in_org', /eve@other\.test/],
    ['a member (bob@example.com)', 'private', 'bob@example.com', 403, 'forward_not_allowed', /is private/],
    ['a member (bob@example.com)', 'link', 'bob@example.com', 403, 'forward_not_allowed', /is link/],
  ] as const)(
    '%s on a %s port: the check and the upgrade are refused alike',
    async (_who, visibility, email, status, code, message) => {
      const { check, upgrade } = await bothRefused(h, a.session, port(visibility), await as(email));
      expect(check).toMatchObject({ status, error: code, message: expect.stringMatching(message) });
      expect(upgrade).toEqual(check);
      for (const [v, origin] of origins) if (v !== 'org') expect(origin.accepted(), v).toBe(0);
    },
  );

  it('a member cannot probe which ports listen in the VM: a port nothing listens on is refused as a private one', async () => {
    const unused = await freePort();
    const { check, upgrade } = await bothRefused(h, a.session, unused, await as('bob@example.com'));
    expect(check).toMatchObject({
      status: 403,
      error: 'forward_not_allowed',
      message: expect.stringMatching(/is private/),
    });
    expect(upgrade).toEqual(check);
    // The owner is told the truth.
    const owner = await bothRefused(h, a.session, unused, await as('alice@example.com'));
    expect(owner.check).toMatchObject({ status: 503, error: 'port_not_listening' });
  });

  it('a bad assertion is 401 access_assertion_invalid; none at all is 401 even on a public port', async () => {
    const bad = {
      'cf-access-jwt-assertion': await team.sign({ email: 'alice@example.com' }, { foreignKey: true }),
    };
    const forged = await bothRefused(h, a.session, port('private'), bad);
    expect(forged.check).toMatchObject({ status: 401, error: 'access_assertion_invalid' });
    expect(forged.upgrade).toEqual(forged.check);
    for (const visibility of ['public', 'org'] as const) {
      const none = await bothRefused(h, a.session, port(visibility), {});
      expect(none.check).toMatchObject({ status: 401, error: 'unauthorized' });
      expect(none.upgrade).toEqual(none.check);
    }
    for (const [v, origin] of origins) if (v !== 'org') expect(origin.accepted(), v).toBe(0);
  });

  it('the member IS allowed on an org port (bytes echo); the owner by Access on a private port', async () => {
    expect(await forwardCheck(h, a.session, port('org'), await as('bob@example.com'))).toMatchObject({
      status: 200,
      body: { port: port('org'), visibility: 'org' },
    });
    const before = origins.get('org')!.accepted();
    const member = await forwardWs(h, a.session, port('org'), await as('bob@example.com'));
    expect(isRefusal(member), JSON.stringify(member)).toBe(false);
    sendBytes(member as OpenForward, 'ping from bob');
    await waitFor(() => (member as OpenForward).bytes() === 'ping from bob', 'the echo');
    expect(origins.get('org')!.accepted()).toBe(before + 1);
    (member as OpenForward).ws.close();

    const owner = await forwardWs(h, a.session, port('private'), await as('alice@example.com'));
    expect(isRefusal(owner), JSON.stringify(owner)).toBe(false);
    sendBytes(owner as OpenForward, 'ping from alice');
    await waitFor(() => (owner as OpenForward).bytes() === 'ping from alice', 'the echo');
    (owner as OpenForward).ws.close();
  });

  it('the real porthole forward with PORTHOLE_ACCESS_TOKEN and --session: a member reaches an org port, not a private one', async () => {
    const env = { PORTHOLE_ACCESS_TOKEN: (await as('bob@example.com'))['cf-access-jwt-assertion'] };
    const { local } = await startForward(h, port('org'), env, ['--session', a.session]);
    const echoed = connectLocal(local);
    echoed.socket.end('through the CLI');
    expect(await echoed.done).toMatchObject({ text: 'through the CLI', ended: 'end' });

    const before = origins.get('private')!.accepted();
    const refused = runCli(
      ['forward', `${port('private')}:0`, '--gateway', h.gateway.url, '--session', a.session],
      scratch(),
      env,
    );
    expect(await refused.exit).toBe(1);
    expect(refused.stderr()).toMatch(/forward_not_allowed|is private/);
    expect(origins.get('private')!.accepted()).toBe(before);
  });
});

describe('ATTACK: a page of another site forwards with the sign-in its browser carries', () => {
  // A browser adds the Access assertion (Access reads its own cookie) or the identity cookie to a
  // WebSocket any page opens; only the CLI (no Origin) and the control plane's own pages may use them.
  it.each([
    ['a preview of another session', () => `http://3000-abcdefgh.${'b'.repeat(26)}.localhost:${h.gateway.port}`],
    ['another site', () => 'https://evil.example'],
    ['an opaque origin', () => 'null'],
  ])("%s, with the owner's assertion: 403 cross_site, the origin sees nothing", async (_what, origin) => {
    const before = origins.get('private')!.accepted();
    const headers = { ...(await as('alice@example.com')), origin: origin() };
    const { check, upgrade } = await bothRefused(h, a.session, port('private'), headers);
    expect(check).toMatchObject({ status: 403, error: 'cross_site' });
    expect(upgrade).toEqual(check);
    expect(origins.get('private')!.accepted()).toBe(before);
  });

  it("the control plane's own origin and the CLI (no Origin) still forward; an owner token is not ambient", async () => {
    const own = { ...(await as('alice@example.com')), origin: new URL(h.gateway.url).origin };
    expect(await forwardCheck(h, a.session, port('private'), own)).toMatchObject({ status: 200 });
    const token = await ownerToken(h, a.session, a.token);
    const page = { authorization: `Bearer ${token}`, origin: 'https://evil.example' };
    expect(await forwardCheck(h, a.session, port('private'), page)).toMatchObject({ status: 200 });
  });
});

describe("ATTACK: a member's forwarded connection outlives the port's visibility", () => {
  it("org → private closes the member's open connection (1008), closes the origin's, and refuses the next", async () => {
    const sockets = new Set<net.Socket>();
    let closed = 0;
    const origin = await tcpOrigin((socket) => {
      sockets.add(socket);
      socket.on('close', () => closed++);
      echo(socket);
    });
    const s = await startAgent(h, [origin.port], {
      ...(await createIdentitySession(h, {
        owner: { email: 'alice@example.com' },
        policy: { emailDomains: ['example.com'] },
      })),
      visibility: () => 'org',
    });
    await s.event((e) => e.event === 'port.open' && e.port === origin.port, 'port.open');
    const open = await forwardWs(h, s.session, origin.port, await as('bob@example.com'));
    expect(isRefusal(open), JSON.stringify(open)).toBe(false);
    const member = open as OpenForward;
    sendBytes(member, 'before');
    await waitFor(() => member.bytes() === 'before', 'the echo');

    const changed = await request(h.gateway, `/api/sessions/${s.session}/ports/${origin.port}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${await ownerToken(h, s.session, s.token)}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ visibility: 'private' }),
    });
    expect(changed.status).toBe(200);
    expect(await member.closed()).toEqual({ code: 1008, reason: expect.stringMatching(/no longer shared/) });
    await waitFor(() => closed === 1 || undefined, "the origin's connection to close");
    const { check, upgrade } = await bothRefused(h, s.session, origin.port, await as('bob@example.com'));
    expect(check).toMatchObject({ status: 403, error: 'forward_not_allowed' });
    expect(upgrade).toEqual(check);
    expect(origin.accepted()).toBe(1);
  }, 60_000);
});
