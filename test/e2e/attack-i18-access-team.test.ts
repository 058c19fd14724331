/**
 * Attack (issue 18, Access mode): the team's certs endpoint is what every assertion is checked
 * against, so whoever can make it fail must not turn that into a hang or into a wrong answer:
 * - unreachable (nothing listens), silent (accepts, never answers), or failing (500, not a JWKS):
 *   502 `access_unavailable` within the certs timeout (5 s) and slack, never the origin;
 * - an assertion signed HS256 with the team's public JWKS as the HMAC key (algorithm confusion): 401.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { afterTest, type Reply, startHarness } from './harness';
import { gatewayGet, Jar } from './oidc/flow';

type Mode = 'ok' | 'silent' | 'error' | 'not-jwks';

let keys: Awaited<ReturnType<typeof generateKeyPair>>;
let jwks: { keys: Record<string, unknown>[] };

beforeAll(async () => {
  keys = await generateKeyPair('RS256', { extractable: true });
  jwks = { keys: [{ ...(await exportJWK(keys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
});
afterAll(() => undefined);

/** A team's certs endpoint answering as `mode` says, on 127.0.0.1:0; stopped when the test ends. */
async function team(mode: Mode): Promise<string> {
  const server = http.createServer((req, res) => {
    if (mode === 'silent') return; // Accepts, reads, never answers.
    if (mode === 'error') return void res.writeHead(500).end('upstream trouble');
    if (mode === 'not-jwks') return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  afterTest(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A port nothing listens on (bound, then closed). */
async function closedPort(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const assertion = (teamDomain: string) => {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: teamDomain,
    aud: ['aud-1'],
    sub: 'alice',
    email: 'alice@example.com',
    iat: now,
    exp: now + 300,
  })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .sign(keys.privateKey);
};

async function who(teamDomain: string, token: string): Promise<{ reply: Reply; ms: number }> {
  const h = await startHarness({ ACCESS_TEAM_DOMAIN: teamDomain, ACCESS_AUD: 'aud-1' });
  const started = Date.now();
  const reply = await gatewayGet(h.gateway, new Jar(), '/auth', {
    accept: 'application/json',
    'cf-access-jwt-assertion': token,
  });
  return { reply, ms: Date.now() - started };
}

const code = (reply: Reply) => (JSON.parse(reply.body.toString()) as { error?: string }).error;

it.each([
  ['unreachable', closedPort],
  ['silent', () => team('silent')],
  ['answering 500', () => team('error')],
  ['answering a page, not a JWKS', () => team('not-jwks')],
])(
  'a team domain %s: 502 access_unavailable, promptly',
  async (_what, make) => {
    const domain = await make();
    const { reply, ms } = await who(domain, await assertion(domain));
    expect(reply.status, reply.body.toString()).toBe(502);
    expect(code(reply)).toBe('access_unavailable');
    expect(ms).toBeLessThan(8000);
  },
  30_000,
);

it('an assertion signed HS256 with the public JWKS as the key is 401; the real one is taken (positive control)', async () => {
  const domain = await team('ok');
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: domain, aud: ['aud-1'], sub: 'alice', email: 'alice@example.com', iat: now, exp: now + 300 };
  const secret = new TextEncoder().encode(JSON.stringify(jwks));
  const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(secret);
  const h = await startHarness({ ACCESS_TEAM_DOMAIN: domain, ACCESS_AUD: 'aud-1' });
  const ask = (token: string) =>
    gatewayGet(h.gateway, new Jar(), '/auth', { accept: 'application/json', 'cf-access-jwt-assertion': token });
  const refused = await ask(forged);
  expect(refused.status).toBe(401);
  expect(code(refused)).toBe('access_assertion_invalid');
  const good = await ask(await assertion(domain));
  expect(good.status).toBe(200);
  expect(JSON.parse(good.body.toString())).toMatchObject({ signedIn: true, email: 'alice@example.com' });
}, 30_000);
