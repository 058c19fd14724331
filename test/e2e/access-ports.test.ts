/**
 * Cloudflare Access in front of the gateway (docs/identity.md): the assertion Access adds to each
 * request is read on the port's host too, so nobody signs in twice and nothing is minted there:
 * the owner opens private ports, a member `org` ports, anyone else is refused by name; a bad
 * assertion is 401 `access_assertion_invalid` and never reaches the origin. A local Access team
 * (oidc/access-team.ts) signs the assertions; its certs endpoint is on loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Visibility } from '../../protocol';
import { type Harness, request, startAgent, startHarness, startOrigin } from './harness';
import { type AccessTeam, startAccessTeam } from './oidc/access-team';
import { createIdentitySession } from './oidc/identity-setup';

let team: AccessTeam;
let h: Harness;
const urls = new Map<Visibility, string>();
let reached = 0;

beforeAll(async () => {
  team = await startAccessTeam();
  h = await startHarness({ ACCESS_TEAM_DOMAIN: team.teamDomain, ACCESS_AUD: team.audience });
  const { session, token } = await createIdentitySession(h, {
    owner: { email: 'alice@example.com' },
    policy: { emailDomains: ['example.com'] },
  });
  const byPort = new Map<number, Visibility>();
  for (const visibility of ['private', 'org'] as const) {
    const origin = await startOrigin((req, res) => {
      reached += 1;
      res.end(`app ${visibility} ${req.headers['cf-access-jwt-assertion'] ?? '-'}`);
    });
    byPort.set(origin.port, visibility);
  }
  const agent = await startAgent(h, [...byPort.keys()], { token, session, visibility: (port) => byPort.get(port) });
  for (const [port, visibility] of byPort) {
    const event = await agent.event((e) => e.event === 'port.open' && e.port === port, `port.open ${port}`);
    urls.set(visibility, (event as { url: string }).url);
  }
}, 60_000);
afterAll(async () => {
  await h?.stop();
  await team?.stop();
});

const as = async (email: string) => ({ 'cf-access-jwt-assertion': await team.sign({ email, sub: email }) });

describe('Access on port hosts', () => {
  it.each([
    ['alice@example.com', 'private', 200, 'app private -'],
    ['alice@example.com', 'org', 200, 'app org -'],
    ['bob@example.com', 'org', 200, 'app org -'],
    ['bob@example.com', 'private', 403, 'not_owner'],
    ['eve@other.test', 'org', 403, 'not_in_org'],
    ['eve@other.test', 'private', 403, 'not_owner'],
  ] as const)('%s on a %s port: %i %s, with no cookie minted', async (email, visibility, status, what) => {
    const reply = await request(h.gateway, urls.get(visibility)!, { headers: await as(email) });
    expect(reply.status).toBe(status);
    expect(reply.headers['set-cookie']).toBeUndefined();
    if (status === 200) expect(reply.body.toString()).toBe(what);
    else {
      expect(reply.headers['x-porthole-error']).toBe(what);
      expect(reply.body.toString()).toContain(email);
    }
  });

  it('a bad assertion is 401 access_assertion_invalid and reaches no origin; none at all is the usual refusal', async () => {
    const before = reached;
    const bad = [
      await team.sign({ email: 'alice@example.com', exp: Math.floor(Date.now() / 1000) - 60 }),
      await team.sign({ email: 'alice@example.com', aud: ['another-app'] }),
      await team.sign({ email: 'alice@example.com' }, { foreignKey: true }),
      'garbage',
    ];
    for (const assertion of bad) {
      const reply = await request(h.gateway, urls.get('org')!, {
        headers: { 'cf-access-jwt-assertion': assertion, accept: 'application/json' },
      });
      expect(reply.status).toBe(401);
      expect(reply.headers['x-porthole-error']).toBe('access_assertion_invalid');
    }
    const none = await request(h.gateway, urls.get('org')!, { headers: { accept: 'application/json' } });
    expect(none.status).toBe(401);
    expect(none.headers['x-porthole-error']).toBe('org_required');
    expect(reached).toBe(before);
  });

  it('the owner opens the dashboard by the assertion alone; a member is refused there', async () => {
    const session = new URL(urls.get('org')!).hostname.split('.')[1]!;
    const owner = await request(h.gateway, `/s/${session}`, { headers: await as('alice@example.com') });
    expect(owner.status).toBe(200);
    const member = await request(h.gateway, `/s/${session}`, { headers: await as('bob@example.com') });
    expect(member.status).toBe(403);
    expect(member.headers['x-porthole-error']).toBe('not_owner');
  });
});
