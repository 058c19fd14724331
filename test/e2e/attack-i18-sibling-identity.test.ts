/**
 * Attack (issue 18, Access mode, FORWARD_EMAIL off): the session's own app (the VM, untrusted) on
 * its org port makes a credentialed fetch to its private port. Access adds the viewer's assertion;
 * the gateway refuses (403 `not_owner`) with a page naming the viewer's account, and a refusal is
 * readable by a sibling port (Access-Control-Allow-Origin): the app would learn who is viewing,
 * which the VM is never told (OPEN's viewer is `org`, no email). A refusal naming an identity is
 * not shared with a sibling; a navigation (the viewer's own page) still names it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Visibility } from '../../protocol';
import { type Harness, request, startAgent, startHarness, startOrigin } from './harness';
import { type AccessTeam, startAccessTeam } from './oidc/access-team';
import { createIdentitySession } from './oidc/identity-setup';

let team: AccessTeam;
let h: Harness;
const urls = new Map<Visibility, string>();

beforeAll(async () => {
  team = await startAccessTeam();
  h = await startHarness({ ACCESS_TEAM_DOMAIN: team.teamDomain, ACCESS_AUD: team.audience });
  const { session, token } = await createIdentitySession(h, {
    owner: { email: 'alice@example.com' },
    policy: { emailDomains: ['example.com'] },
  });
  const byPort = new Map<number, Visibility>();
  for (const visibility of ['private', 'org'] as const) {
    const origin = await startOrigin((_req, res) => res.end(`app ${visibility}`));
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

it("a sibling port's fetch cannot read a refusal that names the viewer", async () => {
  const sibling = new URL(urls.get('org')!).origin;
  const assertion = await team.sign({ email: 'bob@example.com', sub: 'bob' });
  const fetched = await request(h.gateway, urls.get('private')!, {
    headers: { 'cf-access-jwt-assertion': assertion, origin: sibling, 'sec-fetch-mode': 'cors', accept: '*/*' },
  });
  expect(fetched.status).toBe(403);
  expect(fetched.headers['x-porthole-error']).toBe('not_owner');
  const readable = fetched.headers['access-control-allow-origin'] === sibling;
  expect(readable && fetched.body.toString().includes('bob@example.com')).toBe(false);

  // The viewer's own navigation still says who they are signed in as.
  const page = await request(h.gateway, urls.get('private')!, {
    headers: { 'cf-access-jwt-assertion': assertion, accept: 'text/html' },
  });
  expect(page.status).toBe(403);
  expect(page.body.toString()).toContain('bob@example.com');
  // Positive control: the owner's fetch from the sibling is the app's answer, shared with it.
  const owner = await request(h.gateway, urls.get('private')!, {
    headers: { 'cf-access-jwt-assertion': await team.sign(), origin: sibling },
  });
  expect(owner.body.toString()).toBe('app private');
});
