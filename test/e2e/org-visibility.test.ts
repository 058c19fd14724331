/**
 * The `org` visibility outside admission (docs/identity.md, identity/org-policy.ts): it needs an
 * organisation. Without a session policy and without ORG_EMAIL_DOMAINS/ORG_GROUPS, setting it is
 * refused with 409 `org_policy_missing` (owner API PATCH and POST /ports, the CLI's `share`), and a
 * client announcing it gets a private port and the reason; with either, `org` is accepted and
 * `porthole ports` shows it. Real gateway in workerd, real client and CLI, a real origin.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../client/events';
import { createSession, type Harness, type Reply, request, startAgent, startHarness, startOrigin } from './harness';
import { runCli, tempDir } from './cli-run';

const PROVIDER = { OIDC_ISSUER: 'http://127.0.0.1:1', OIDC_CLIENT_ID: 'x' };

/** A provider, no default policy. */
let bare: Harness;
/** A provider and ORG_EMAIL_DOMAINS. */
let withDefault: Harness;

beforeAll(async () => {
  [bare, withDefault] = await Promise.all([
    startHarness(PROVIDER),
    startHarness({ ...PROVIDER, ORG_EMAIL_DOMAINS: 'example.com' }),
  ]);
});
afterAll(async () => {
  await Promise.all([bare?.stop(), withDefault?.stop()]);
});

const json = (reply: Reply) => JSON.parse(reply.body.toString()) as Record<string, unknown>;

async function session(h: Harness, body: Record<string, unknown> = {}): Promise<{ session: string; token: string }> {
  const reply = await request(h.gateway, '/api/sessions', {
    method: 'POST',
    headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(reply.status).toBe(201);
  return json(reply) as { session: string; token: string };
}

/** An owner API call with a fresh owner token of the session. */
async function owner(h: Harness, s: { session: string; token: string }, method: string, path: string, body?: unknown) {
  const minted = await request(h.gateway, `/api/sessions/${s.session}/owner-token`, {
    method: 'POST',
    headers: { authorization: `Bearer ${s.token}` },
  });
  const token = json(minted).token as string;
  return request(h.gateway, `/api/sessions/${s.session}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

const origin = () => startOrigin((_req, res) => res.end('app'));

describe('org needs an organisation', () => {
  it('the owner API refuses org with 409 org_policy_missing without a policy, and changes nothing', async () => {
    const s = await session(bare);
    const refused = await owner(bare, s, 'PATCH', '/ports/3000', { visibility: 'org' });
    expect(refused.status).toBe(409);
    const answer = json(refused);
    expect(answer.error).toBe('org_policy_missing');
    expect(String(answer.message)).toContain('ORG_EMAIL_DOMAINS');
    expect(String(answer.message)).toContain('--org-domain');
    // Nothing was kept for the port.
    expect(json(await owner(bare, s, 'GET', '/ports')).ports).toEqual([]);
    // Asking the client to expose a port as org is refused the same way (before the tunnel is looked at).
    const expose = await owner(bare, s, 'POST', '/ports', { port: 3000, visibility: 'org' });
    expect(expose.status).toBe(409);
    expect(json(expose).error).toBe('org_policy_missing');
    // Other visibilities are unaffected.
    expect((await owner(bare, s, 'PATCH', '/ports/3000', { visibility: 'link' })).status).toBe(200);
  });

  it('org is accepted with a session policy, and with the gateway default (ORG_EMAIL_DOMAINS)', async () => {
    const own = await session(bare, { policy: { groups: ['eng'] } });
    const chosen = await owner(bare, own, 'PATCH', '/ports/3000', { visibility: 'org' });
    expect(chosen.status).toBe(200);
    expect(json(chosen)).toMatchObject({ port: 3000, visibility: 'org', listening: false });
    const byDefault = await session(withDefault);
    const chosenToo = await owner(withDefault, byDefault, 'PATCH', '/ports/3000', { visibility: 'org' });
    expect(chosenToo.status).toBe(200);
    expect(json(chosenToo)).toMatchObject({ visibility: 'org' });
  });

  it('a client announcing org without a policy gets a private port and the reason; with one, an org port', async () => {
    const o = await origin();
    const a = await startAgent(bare, [o.port], { visibility: () => 'org' });
    const isRefusal = (e: AgentEvent) => e.event === 'error' && e.message.includes('org visibility needs');
    const said = await a.event(isRefusal, 'the refusal of org');
    expect((said as { message: string }).message).toContain(`port ${o.port} is private`);
    expect(a.agent.ports()[0]).toMatchObject({ port: o.port, visibility: 'private' });
    // Private means private: a stranger is refused, the origin untouched.
    const url = await a.agent.url(o.port);
    expect((await request(bare.gateway, url)).status).toBe(401);
    // The owner's choice then wins, and nothing more is said.
    expect((await owner(bare, a, 'PATCH', `/ports/${o.port}`, { visibility: 'link' })).status).toBe(200);
    await a.event((e) => e.event === 'port.share' && e.visibility === 'link', 'the owner making it link');
    expect(a.agent.ports()[0]).not.toHaveProperty('refused');
    expect(a.events.filter(isRefusal)).toHaveLength(1);

    const b = await startAgent(withDefault, [o.port], { visibility: () => 'org' });
    expect(b.agent.ports()[0]).toMatchObject({ port: o.port, visibility: 'org' });
    expect(b.agent.ports()[0]).not.toHaveProperty('refused');
    expect(b.events.some(isRefusal)).toBe(false);
  });
});

describe('the CLI: porthole session create --org-*, share org, ports', () => {
  async function connect(h: Harness, token: string, port: number) {
    const cwd = tempDir().path;
    const control = join(cwd, 'control.sock');
    const args = ['connect', '--json', '--gateway', h.gateway.url, '--no-watch', '--port', String(port)];
    const run = runCli([...args, '--control', control], cwd, { PORTHOLE_TOKEN: token });
    await run.line((line) => line.event === 'port.open' && line.port === port);
    const cli = (...rest: string[]) => runCli([...rest, '--control', control], cwd);
    return { cli };
  }

  it('share org without a policy prints the reason and exits 1; the port stays as it was', async () => {
    const o = await origin();
    const { token } = await createSession(bare);
    const { cli } = await connect(bare, token, o.port);
    const share = cli('share', String(o.port), 'org');
    expect(await share.exit).toBe(1);
    expect(share.stderr()).toContain('org visibility needs an organisation');
    expect(share.stderr()).toContain('ORG_EMAIL_DOMAINS');
    expect(share.stdout()).toBe('');
    const ports = cli('ports', '--json');
    expect(await ports.exit).toBe(0);
    expect(JSON.parse(ports.stdout())).toMatchObject([{ port: o.port, visibility: 'private' }]);

    // Exposing a port as org: exposed, but private, with the reason, and a failure for scripts.
    const other = await origin();
    const exposed = cli('expose', String(other.port), '--visibility', 'org', '--json');
    expect(await exposed.exit).toBe(1);
    expect(exposed.stderr()).toContain(`port ${other.port} is private, not org: The org visibility needs`);
    const answer = JSON.parse(exposed.stdout()) as Record<string, unknown>;
    expect(answer).toMatchObject({ port: other.port, visibility: 'private' });
    expect(String(answer.refused)).toContain('ORG_EMAIL_DOMAINS');
  });

  it('session create --owner-email --org-domain --org-group, then share org works and ports shows org', async () => {
    const o = await origin();
    const cwd = tempDir().path;
    const adminFile = join(cwd, 'admin-token');
    writeFileSync(adminFile, bare.adminToken, { mode: 0o600 });
    const base = ['session', 'create', '--gateway', bare.gateway.url, '--admin-token-file', adminFile];
    const flags = ['--owner-email', 'Alice@Example.com', '--org-domain', 'example.com', '--org-group', 'eng'];
    const create = runCli([...base, ...flags, '--org-group', 'ops', '--json'], cwd);
    expect(await create.exit).toBe(0);
    const created = JSON.parse(create.stdout()) as Record<string, unknown>;
    expect(created.owner).toEqual({ email: 'alice@example.com' });
    expect(created.policy).toEqual({ emailDomains: ['example.com'], emails: [], groups: ['eng', 'ops'] });
    const human = runCli([...base, ...flags], cwd);
    expect(await human.exit).toBe(0);
    expect(human.stdout()).toContain('owner     alice@example.com');
    expect(human.stdout()).toContain('org       @example.com, group eng');

    const { cli } = await connect(bare, created.token as string, o.port);
    const share = cli('share', String(o.port), 'org');
    expect(await share.exit).toBe(0);
    expect(share.stdout()).toContain(`port ${o.port} is org: your organisation`);
    const ports = cli('ports');
    expect(await ports.exit).toBe(0);
    expect(ports.stdout()).toMatch(new RegExp(`${o.port}\\s+\\S+\\s+org\\s+http`));
    // Exposing one as org: the hint names the organisation signing in, not only a login link.
    const other = await origin();
    const exposed = cli('expose', String(other.port), '--visibility', 'org');
    expect(await exposed.exit).toBe(0);
    expect(exposed.stderr()).toContain(
      `port ${other.port} is org: your organisation opens it signed in at the gateway`,
    );
  });

  it('session create with --org-domain on a gateway without a provider: identity_not_configured, exit 1', async () => {
    const h = await startHarness();
    const cwd = tempDir().path;
    const adminFile = join(cwd, 'admin-token');
    writeFileSync(adminFile, h.adminToken, { mode: 0o600 });
    const args = ['session', 'create', '--gateway', h.gateway.url, '--admin-token-file', adminFile];
    const create = runCli([...args, '--org-domain', 'example.com'], cwd);
    expect(await create.exit).toBe(1);
    expect(create.stderr()).toContain('no identity provider');
  });
});
