/**
 * Attack (issue 18, login fixation on a port): bob, a member, takes the one-time `memberLogin`
 * ticket /s/<session>/open gives him for an org port without following it, and sends the owner's
 * browser (already in on that port by her owner cookie) to `?porthole_login=<his ticket>`. The
 * owner's cookie must not be replaced by bob's member cookie (she would then use the app as bob:
 * with FORWARD_EMAIL=on the app is told bob's email), as a share link never replaces it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Harness, request, startAgent, startHarness, startOrigin } from './harness';
import { browse, HostJar, last, NAVIGATE } from './host-jar';
import { signIn } from './oidc/flow';
import { signLabelForTest } from './sign';
import { startProvider, type TestProvider } from './oidc/provider';
import { createIdentitySession } from './oidc/identity-setup';

let provider: TestProvider;
let h: Harness;
let url: string;

beforeAll(async () => {
  provider = await startProvider();
  h = await startHarness(
    { OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: provider.clientId, FORWARD_EMAIL: 'on' },
    { OIDC_CLIENT_SECRET: provider.clientSecret },
  );
  provider.register(`${h.gateway.url}/auth/callback`);
  const { session, token } = await createIdentitySession(h, {
    owner: { email: 'alice@example.com' },
    policy: { groups: ['eng'] },
  });
  const origin = await startOrigin((req, res) => res.end(`as ${String(req.headers['x-porthole-email'])}`));
  const agent = await startAgent(h, [origin.port], { token, session, visibility: () => 'org' });
  url = ((await agent.event((e) => e.event === 'port.open', 'port.open')) as { url: string }).url;
}, 60_000);
afterAll(async () => {
  await h?.stop();
  await provider?.stop();
});

const control = () => new URL(h.gateway.url).host;

async function browserOf(email: string): Promise<HostJar> {
  const jar = new HostJar();
  jar.store(control(), (await signIn(h.gateway, email)).reply.headers['set-cookie']);
  return jar;
}

/** Bob's ticket: the port's hand-over to /open and /open's 303 to the port, not followed. */
async function ticketOf(jar: HostJar): Promise<string> {
  const first = await request(h.gateway, url, { headers: NAVIGATE });
  expect(first.status).toBe(303);
  const open = new URL(String(first.headers.location), url);
  const handed = await request(h.gateway, open.href, { headers: { ...NAVIGATE, ...jar.header(control()) } });
  expect(handed.status).toBe(303);
  const location = String(handed.headers.location);
  expect(location).toContain('porthole_login=');
  return location;
}

it("a member's ticket never replaces the owner's cookie on the port", async () => {
  const alice = await browserOf('alice@example.com');
  expect(last(await browse(h.gateway, url, alice)).body.toString()).toBe('as alice@example.com');
  const bobsTicket = await ticketOf(await browserOf('bob@example.com'));

  const sent = await request(h.gateway, bobsTicket, {
    headers: { ...NAVIGATE, ...alice.header(new URL(url).host) },
  });
  alice.store(new URL(url).host, sent.headers['set-cookie']);
  expect(sent.status).toBe(303);
  expect(sent.headers['set-cookie'] ?? []).toEqual([]);
  expect(last(await browse(h.gateway, url, alice)).body.toString()).toBe('as alice@example.com');

  // Positive control: bob's own browser (no cookie on the port) would have been let in by it.
  const other = await ticketOf(await browserOf('bob@example.com'));
  const bob = new HostJar();
  expect(last(await browse(h.gateway, other, bob)).body.toString()).toBe('as bob@example.com');
});

it("a member's ticket is spent once, and is nothing on another port of the session", async () => {
  const ticket = new URL(await ticketOf(await browserOf('bob@example.com')));
  // On another port's host of the same session (a correctly signed host): refused, not spent.
  const session = ticket.hostname.split('.')[1]!;
  const port = Number(ticket.hostname.split('-')[0]);
  const other = new URL(ticket.href);
  other.hostname = signLabelForTest(h, session, port + 1);
  const elsewhere = await request(h.gateway, other.href, { headers: { accept: 'application/json' } });
  expect(elsewhere.status).toBe(403);
  expect(elsewhere.headers['x-porthole-error']).toBe('wrong_port');
  const used = await request(h.gateway, ticket.href, { headers: NAVIGATE });
  expect(used.status).toBe(303);
  expect(String(used.headers['set-cookie'])).toMatch(/^porthole=[^;]/);
  const again = await request(h.gateway, ticket.href, { headers: { accept: 'application/json' } });
  expect(again.status).toBe(410);
  expect(again.headers['x-porthole-error']).toBe('login_used');
  expect(again.headers['set-cookie']).toBeUndefined();
});
