/**
 * The admin API's identity fields (docs/identity.md, routes/identity-input.ts): `owner` and
 * `policy` on POST /api/sessions, against the gateway in workerd. Each malformed field is a 400
 * naming it; either field on a gateway without a provider is 409 `identity_not_configured`; good
 * ones are echoed and kept (the session's policy then lets the owner API set `org`). The
 * provider is configured without a real one: OIDC_ISSUER on loopback is only checked as a URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, type Reply, request, startHarness } from './harness';

const PROVIDER = { OIDC_ISSUER: 'http://127.0.0.1:1', OIDC_CLIENT_ID: 'x' };

let withProvider: Harness;
let without: Harness;

beforeAll(async () => {
  [withProvider, without] = await Promise.all([startHarness(PROVIDER), startHarness()]);
});
afterAll(async () => {
  await Promise.all([withProvider?.stop(), without?.stop()]);
});

const json = (reply: Reply) => JSON.parse(reply.body.toString()) as Record<string, unknown>;

function create(h: Harness, body: unknown): Promise<Reply> {
  return request(h.gateway, '/api/sessions', {
    method: 'POST',
    headers: { authorization: `Bearer ${h.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function ownerToken(h: Harness, session: string, sessionToken: string): Promise<string> {
  const reply = await request(h.gateway, `/api/sessions/${session}/owner-token`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sessionToken}` },
  });
  expect(reply.status).toBe(201);
  return json(reply).token as string;
}

function share(h: Harness, session: string, owner: string, port: number, visibility: string): Promise<Reply> {
  return request(h.gateway, `/api/sessions/${session}/ports/${port}`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
    body: JSON.stringify({ visibility }),
  });
}

const long = (n: number) => 'a'.repeat(n);

/** [what, body, the field the 400 must name]. */
const BAD: [string, unknown, string][] = [
  ['owner not an object', { owner: 'alice@example.com' }, 'owner'],
  ['owner with an unknown field', { owner: { email: 'a@example.com', name: 'A' } }, 'owner.name'],
  ['owner naming nobody', { owner: { issuer: 'https://id.example.com' } }, 'owner'],
  ['owner.email not an address', { owner: { email: 'alice' } }, 'owner.email'],
  ['owner.email not a string', { owner: { email: 42 } }, 'owner.email'],
  ['owner.email over 254 characters', { owner: { email: `${long(250)}@example.com` } }, 'owner.email'],
  ['owner.subject without an issuer', { owner: { subject: 'u1' } }, 'owner.issuer'],
  ['owner.subject empty', { owner: { issuer: 'https://id.example.com', subject: '' } }, 'owner.subject'],
  ['owner.issuer not a URL', { owner: { issuer: 'id.example.com', subject: 'u1' } }, 'owner.issuer'],
  [
    'owner.issuer plain http off loopback',
    { owner: { issuer: 'http://id.example.com', subject: 'u' } },
    'owner.issuer',
  ],
  ['policy not an object', { policy: ['example.com'] }, 'policy'],
  ['policy with an unknown field', { policy: { domains: ['example.com'] } }, 'policy.domains'],
  ['policy.emailDomains not a list', { policy: { emailDomains: 'example.com' } }, 'policy.emailDomains'],
  ['policy.emailDomains with an address', { policy: { emailDomains: ['a@example.com'] } }, 'policy.emailDomains[0]'],
  [
    'policy.emailDomains over 253 characters',
    { policy: { emailDomains: [`${long(250)}.com`] } },
    'policy.emailDomains[0]',
  ],
  ['policy.emails with a non-address', { policy: { emails: ['a@example.com', 'bob'] } }, 'policy.emails[1]'],
  ['policy.groups with an empty name', { policy: { groups: [''] } }, 'policy.groups[0]'],
  ['policy.groups with a name over 64', { policy: { groups: [long(65)] } }, 'policy.groups[0]'],
  ['policy.groups not strings', { policy: { groups: [7] } }, 'policy.groups[0]'],
  [
    'policy.groups over 32 entries',
    { policy: { groups: Array.from({ length: 33 }, (_, i) => `g${i}`) } },
    'policy.groups',
  ],
];

describe('POST /api/sessions: owner and policy', () => {
  it.each(BAD)('%s → 400 bad_request naming %s', async (_what, body, field) => {
    const reply = await create(withProvider, body);
    expect(reply.status).toBe(400);
    const answer = json(reply);
    expect(answer.error).toBe('bad_request');
    expect(String(answer.message)).toContain(field);
  });

  it('a gateway without a provider refuses owner or policy with 409 identity_not_configured, and still creates plain sessions', async () => {
    for (const body of [{ owner: { email: 'alice@example.com' } }, { policy: { emailDomains: ['example.com'] } }]) {
      const reply = await create(without, body);
      expect(reply.status).toBe(409);
      const answer = json(reply);
      expect(answer.error).toBe('identity_not_configured');
      expect(String(answer.message)).toContain('OIDC_ISSUER');
      const page = await request(without.gateway, '/api/sessions', {
        method: 'POST',
        headers: { authorization: `Bearer ${without.adminToken}`, accept: 'text/html' },
        body: JSON.stringify(body),
      });
      expect(page.status).toBe(409);
      expect(page.headers['content-type']).toContain('text/html');
    }
    const plain = await create(without, {});
    expect(plain.status).toBe(201);
    expect(json(plain)).not.toHaveProperty('owner');
    expect(json(plain)).not.toHaveProperty('policy');
  });

  it('echoes a good owner and policy, lowercased where it matters, and keeps the policy: org is then accepted', async () => {
    const reply = await create(withProvider, {
      ttl: 3600,
      owner: { email: 'Alice@Example.COM', issuer: 'http://127.0.0.1:1', subject: 'alice-1' },
      policy: { emailDomains: ['Example.com'], emails: ['Bob@Other.org'], groups: ['Eng'] },
    });
    expect(reply.status).toBe(201);
    const created = json(reply);
    expect(created.owner).toEqual({ email: 'alice@example.com', issuer: 'http://127.0.0.1:1', subject: 'alice-1' });
    expect(created.policy).toEqual({ emailDomains: ['example.com'], emails: ['bob@other.org'], groups: ['Eng'] });
    const session = created.session as string;
    const owner = await ownerToken(withProvider, session, created.token as string);
    const chosen = await share(withProvider, session, owner, 3000, 'org');
    expect(chosen.status).toBe(200);
    expect(json(chosen)).toMatchObject({ port: 3000, visibility: 'org' });
  });

  it('an owner alone keeps no policy: without ORG_* org stays refused (the owner is not an organisation)', async () => {
    const reply = await create(withProvider, { owner: { email: 'alice@example.com' } });
    expect(reply.status).toBe(201);
    const created = json(reply);
    expect(created).not.toHaveProperty('policy');
    const session = created.session as string;
    const owner = await ownerToken(withProvider, session, created.token as string);
    const refused = await share(withProvider, session, owner, 3000, 'org');
    expect(refused.status).toBe(409);
    expect(json(refused).error).toBe('org_policy_missing');
  });
});
