/**
 * Attack (issue 18): identity headers smuggled to the origin in a WebSocket upgrade (the upgrade
 * has its own path to the client, ws-bridge.ts). With FORWARD_EMAIL=on, a member opens a WebSocket
 * on an org port sending forged `X-Porthole-Email` (twice, and as `X_Porthole_Email`),
 * `Cf-Access-Jwt-Assertion`, `Cf-Access-Authenticated-User-Email` and the `CF_Authorization` and
 * `porthole_identity` cookies: the origin's upgrade carries exactly one `X-Porthole-Email`, the
 * member's verified one, none of the others, and the app's own cookie.
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { lookup } from '../../client/net/lookup';
import { afterTest, type Harness, startAgent, startHarness } from './harness';
import { browse, HostJar, last } from './host-jar';
import { signIn } from './oidc/flow';
import { startProvider, type TestProvider } from './oidc/provider';
import { createIdentitySession } from './oidc/identity-setup';

let provider: TestProvider;
let h: Harness;

beforeAll(async () => {
  provider = await startProvider();
  h = await startHarness(
    { OIDC_ISSUER: provider.issuer, OIDC_CLIENT_ID: provider.clientId, FORWARD_EMAIL: 'on' },
    { OIDC_CLIENT_SECRET: provider.clientSecret },
  );
  provider.register(`${h.gateway.url}/auth/callback`);
});
afterAll(async () => {
  await h?.stop();
  await provider?.stop();
});

it("a WebSocket upgrade's forged identity headers and cookies never reach the origin", async () => {
  const upgrades: http.IncomingMessage[] = [];
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  afterTest(() => new Promise<void>((resolve) => server.close(() => resolve())));
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  server.on('connection', (socket, req) => {
    upgrades.push(req);
    socket.send('hello');
  });
  const port = (server.address() as AddressInfo).port;
  const { session, token } = await createIdentitySession(h, {
    owner: { email: 'alice@example.com' },
    policy: { groups: ['eng'] },
  });
  const agent = await startAgent(h, [port], { token, session, visibility: () => 'org' });
  const url = ((await agent.event((e) => e.event === 'port.open', 'port.open')) as { url: string }).url;

  const jar = new HostJar();
  jar.store(new URL(h.gateway.url).host, (await signIn(h.gateway, 'bob@example.com')).reply.headers['set-cookie']);
  // An HTTP navigation first, for the member's port cookie (the WebSocket origin answers it 426).
  last(await browse(h.gateway, url, jar));
  const portCookie = jar.header(new URL(url).host).cookie;
  expect(portCookie).toMatch(/^porthole=/);

  const socket = new WebSocket(url.replace(/^http/, 'ws'), [], {
    lookup,
    headers: {
      cookie: `${portCookie}; CF_Authorization=stolen; porthole_identity=forged; app=1`,
      'x-porthole-email': ['ceo@example.com', 'cfo@example.com'],
      x_porthole_email: 'ceo@example.com',
      'cf-access-jwt-assertion': 'eyJforged',
      'cf-access-authenticated-user-email': 'ceo@example.com',
    } as unknown as Record<string, string>,
  });
  afterTest(() => socket.terminate());
  const first = await new Promise<string>((resolve, reject) => {
    socket.once('message', (data: Buffer) => resolve(data.toString()));
    socket.once('unexpected-response', (_req, res: http.IncomingMessage) => reject(new Error(`${res.statusCode}`)));
    socket.once('error', reject);
  });
  expect(first).toBe('hello');
  const seen = upgrades[0]!;
  const raw = seen.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
  expect(raw.filter((n) => n === 'x-porthole-email')).toHaveLength(1);
  expect(seen.headers['x-porthole-email']).toBe('bob@example.com');
  expect(raw.filter((n) => n.replace(/_/g, '-').startsWith('cf-') || n === 'x_porthole_email')).toEqual([]);
  expect(seen.headers.cookie).toBe('app=1');
});
