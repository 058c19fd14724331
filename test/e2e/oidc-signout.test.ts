/**
 * Signing out ends what the sign-in opened (docs/identity.md): alice, the session's owner by
 * email, signs in at the real provider (oidc/provider.ts), opens her private port through
 * `/s/<session>/open` (the identity cookie remembers the session), then signs out with a
 * same-origin POST: the session is told her sign-in's sid is signed out, so the port cookie she
 * got is refused from then on. A positive control first: the same cookie works before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startAgent, startHarness, startOrigin } from './harness';
import { gatewayGet, Jar, signIn, whoAmI } from './oidc/flow';
import { startProvider, type TestProvider } from './oidc/provider';
import { createIdentitySession } from './oidc/identity-setup';

let provider: TestProvider;
let h: Harness;

beforeAll(async () => {
  provider = await startProvider();
  h = await startHarness({ OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: provider.clientId }, {
    OIDC_CLIENT_SECRET: provider.clientSecret,
  } as Record<string, string>);
  provider.register(`${h.gateway.url}/auth/callback`);
});

afterAll(async () => {
  await h?.stop();
  await provider?.stop();
});

/** A session owned by `email`, its client exposing one private port of a real origin. */
async function ownedSession(email: string): Promise<{ session: string; url: string; hits: () => number }> {
  let hits = 0;
  const origin = await startOrigin((_req, res) => {
    hits += 1;
    res.end('app');
  });
  const { session, token } = await createIdentitySession(h, { owner: { email } });
  const agent = await startAgent(h, [origin.port], { token, session, visibility: () => 'private' });
  const open = await agent.event((e) => e.event === 'port.open', 'the port open');
  return { session, url: (open as { url: string }).url, hits: () => hits };
}

const navigation = { accept: 'text/html', 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate' };

/**
 * A browser's navigation to the private port: sent to `/s/<session>/open` (with the port's proof),
 * which the control-plane jar's sign-in turns into a ticket, exchanged on the port host for its
 * cookie. Returns the port host's jar.
 */
async function openPort(control: Jar, portUrl: string): Promise<Jar> {
  const jar = new Jar();
  const first = await gatewayGet(h.gateway, jar, portUrl, navigation);
  expect(first.status, first.body.toString()).toBe(303);
  const handOver = new URL(first.headers.location as string);
  const open = await gatewayGet(h.gateway, control, handOver.pathname + handOver.search, navigation);
  expect(open.status, open.body.toString()).toBe(303);
  const exchanged = await gatewayGet(h.gateway, jar, open.headers.location as string, navigation);
  expect(exchanged.status, exchanged.body.toString()).toBe(303);
  return jar;
}

describe('sign-out', () => {
  it('ends the port login the sign-in gave, in the session it opened', async () => {
    const s = await ownedSession('alice@example.com');
    const { jar: control } = await signIn(h.gateway, 'alice@example.com');
    const portJar = await openPort(control, s.url);
    const before = await gatewayGet(h.gateway, portJar, s.url);
    expect(before.status, before.body.toString()).toBe(200);
    expect(before.body.toString()).toBe('app');
    const hits = s.hits();

    const out = await gatewayGet(h.gateway, control, '/auth/logout', { origin: h.gateway.url }, 'POST');
    expect(out.status).toBe(303);
    expect((await whoAmI(h.gateway, control)).json.signedIn).toBe(false);

    const after = await gatewayGet(h.gateway, portJar, s.url, { accept: 'application/json' });
    expect(after.status, after.body.toString()).toBe(401);
    expect(JSON.parse(after.body.toString()).error).toBe('signed_out');
    expect(s.hits()).toBe(hits);
  });

  it('a new sign-in in the same browser signs the earlier one out first', async () => {
    const s = await ownedSession('alice@example.com');
    const { jar: control } = await signIn(h.gateway, 'alice@example.com');
    const portJar = await openPort(control, s.url);
    expect((await gatewayGet(h.gateway, portJar, s.url)).status).toBe(200);
    const again = await signIn(h.gateway, 'alice@example.com', { jar: control });
    expect(again.reply.status).toBe(303);
    const after = await gatewayGet(h.gateway, portJar, s.url, { accept: 'application/json' });
    expect(after.status).toBe(401);
    expect(JSON.parse(after.body.toString()).error).toBe('signed_out');
    // The new sign-in opens the port again.
    const reopened = await openPort(control, s.url);
    expect((await gatewayGet(h.gateway, reopened, s.url)).status).toBe(200);
  });
});
