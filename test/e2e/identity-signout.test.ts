/**
 * Signing out ends what the sign-in opened (docs/identity.md): bob signs in at a real OIDC provider
 * on loopback (oidc/provider.ts), opens an `org` port of a session (the identity cookie remembers
 * it), starts a long response; `POST /auth/logout` then cuts that response, his port cookie is
 * refused (401 `signed_out`) and the port sends him to sign in again. Another member's sign-in
 * in the same session is untouched.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, request, type RunningAgent, startAgent, startOrigin } from './harness';
import { browse, HostJar, last } from './host-jar';
import { signIn } from './oidc/flow';
import { type TestProvider } from './oidc/provider';
import { createIdentitySession, startProviderHarness } from './oidc/identity-setup';

let provider: TestProvider;
let h: Harness;
let agent: RunningAgent;
let url: string;

beforeAll(async () => {
  ({ provider, h } = await startProviderHarness());
  const { session, token } = await createIdentitySession(h, {
    owner: { email: 'alice@example.com' },
    policy: { groups: ['eng'] },
  });
  const origin = await startOrigin((req, res) => {
    if (req.url === '/stream') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first\n'); // …and never ends on its own.
      return;
    }
    res.end('app');
  });
  agent = await startAgent(h, [origin.port], { token, session, visibility: () => 'org' });
  const opened = await agent.event((e) => e.event === 'port.open', 'port.open');
  url = (opened as { url: string }).url;
}, 60_000);
afterAll(async () => {
  await h?.stop();
  await provider?.stop();
});

/** A browser signed in at the provider as `email`: the identity cookie on the control domain. */
async function signedIn(email: string): Promise<HostJar> {
  const { reply } = await signIn(h.gateway, email);
  expect(reply.status).toBe(303);
  const jar = new HostJar();
  jar.store(new URL(h.gateway.url).host, reply.headers['set-cookie']);
  return jar;
}

/** A GET whose response headers have come; resolves `ended` with how its body ended. */
function streamed(target: string, cookie: string): Promise<{ ended: Promise<'aborted' | 'ended'>; first: string }> {
  const u = new URL(target);
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port: new URL(h.gateway.url).port, path: u.pathname, headers: { host: u.host, cookie } },
      (res) => {
        const ended = new Promise<'aborted' | 'ended'>((done) => {
          res.on('end', () => done('ended'));
          res.on('error', () => done('aborted'));
          res.on('aborted', () => done('aborted'));
          req.on('error', () => done('aborted'));
        });
        res.once('data', (chunk: Buffer) => resolve({ ended, first: chunk.toString() }));
      },
    );
    req.on('error', reject);
  });
}

describe('sign-out', () => {
  it("ends the sign-in's port cookie and cuts its open response; another member is untouched", async () => {
    const bob = await signedIn('bob@example.com');
    const alice = await signedIn('alice@example.com');
    for (const jar of [bob, alice]) expect(last(await browse(h.gateway, url, jar)).body.toString()).toBe('app');
    const portHost = new URL(url).host;
    const cookie = bob.header(portHost).cookie!;
    const open = await streamed(`${url}stream`, cookie);
    expect(open.first).toBe('first\n');

    const control = new URL(h.gateway.url).host;
    const out = await request(h.gateway, '/auth/logout', {
      method: 'POST',
      headers: { origin: h.gateway.url, ...bob.header(control) },
    });
    expect(out.status).toBe(303);
    expect(String(out.headers['set-cookie'])).toMatch(/porthole_identity=;/);

    // The origin never ends this response: that it ends at all is the cut (the local front may end it cleanly).
    const still = new Promise<'still open'>((resolve) => setTimeout(() => resolve('still open'), 10_000).unref());
    expect(['aborted', 'ended']).toContain(await Promise.race([open.ended, still]));
    const again = await request(h.gateway, url, { headers: { cookie, accept: 'application/json' } });
    expect(again.status).toBe(401);
    expect(again.headers['x-porthole-error']).toBe('signed_out');
    expect(String(again.headers['set-cookie'])).toMatch(/porthole=;/);
    // Alice (another sign-in) still gets in, by her port cookie.
    const hers = await request(h.gateway, url, { headers: alice.header(portHost) });
    expect(hers.body.toString()).toBe('app');
  });
});
