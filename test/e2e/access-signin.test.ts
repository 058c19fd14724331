/**
 * Cloudflare Access mode (docs/identity.md): with ACCESS_TEAM_DOMAIN/ACCESS_AUD at a local team
 * (oidc/access-team.ts), the `Cf-Access-Jwt-Assertion` of a request is the identity; anything
 * but a good assertion of this application is 401 `access_assertion_invalid`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, type Reply, startHarness } from './harness';
import { startAccessTeam, type AccessTeam } from './oidc/access-team';
import { gatewayGet, Jar } from './oidc/flow';

let team: AccessTeam;
let h: Harness;

beforeAll(async () => {
  team = await startAccessTeam();
  h = await startHarness({ ACCESS_TEAM_DOMAIN: team.teamDomain, ACCESS_AUD: team.audience });
});

afterAll(async () => {
  await h?.stop();
  await team?.stop();
});

const who = (assertion?: string, accept = 'application/json') =>
  gatewayGet(h.gateway, new Jar(), '/auth', {
    accept,
    ...(assertion === undefined ? {} : { 'cf-access-jwt-assertion': assertion }),
  });
const body = (reply: Reply) => JSON.parse(reply.body.toString()) as Record<string, unknown>;
const now = () => Math.floor(Date.now() / 1000);

describe('Access mode', () => {
  it('a good assertion: /auth names the identity, source access, email lowercased and trusted', async () => {
    const reply = await who(await team.sign({ groups: ['eng', 7, 'ops'] }));
    expect(reply.status).toBe(200);
    expect(body(reply)).toEqual({
      signedIn: true,
      email: 'alice@example.com',
      issuer: team.teamDomain,
      subject: 'a1b2c3-alice',
      groups: ['eng', 'ops'],
      source: 'access',
    });
    expect(team.certsRequests()).toBeGreaterThanOrEqual(1);
    const page = await who(await team.sign(), 'text/html');
    expect(page.body.toString()).toContain('Cloudflare Access');
  });

  it('no assertion: not signed in', async () => {
    const reply = await who();
    expect(reply.status).toBe(200);
    expect(body(reply).signedIn).toBe(false);
    // The page says why (the request did not come through Access), not that there is no provider.
    const page = (await who(undefined, 'text/html')).body.toString();
    expect(page).toContain('no Cloudflare Access assertion');
    expect(page).not.toContain('no identity provider');
  });

  const refused: [string, () => Promise<string>][] = [
    ['expired', () => team.sign({ iat: now() - 7200, nbf: now() - 7200, exp: now() - 3600 })],
    ['for another application (aud)', () => team.sign({ aud: ['another-application'] })],
    ['from another team (iss)', () => team.sign({ iss: 'https://other.cloudflareaccess.com' })],
    ['signed under a key id the team does not have', () => team.sign({}, { kid: 'unknown-kid' })],
    ['signed with a key the team does not publish (same kid)', () => team.sign({}, { foreignKey: true })],
    ['garbage', () => Promise.resolve('not.a.jwt')],
    [
      'unsigned (alg none)',
      async () => {
        const good = (await team.sign()).split('.');
        const header = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
        return `${header}.${good[1]}.`;
      },
    ],
  ];

  it.each(refused)('an assertion %s is 401 access_assertion_invalid', async (_what, make) => {
    const reply = await who(await make());
    expect(reply.status).toBe(401);
    expect(body(reply).error).toBe('access_assertion_invalid');
  });
});
