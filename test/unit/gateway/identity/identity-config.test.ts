import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../gateway/config';
import { ConfigError } from '../../../../gateway/errors';

const secrets = { LABEL_KEY: 'l'.repeat(32), TOKEN_SECRET: 't'.repeat(32) };

function problemsOf(vars: Record<string, unknown>): readonly string[] {
  try {
    parseConfig({ ...secrets, ...vars });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('the identity vars (docs/identity.md)', () => {
  it('OIDC with its defaults', () => {
    const { identity } = parseConfig({ ...secrets, OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_ID: 'porthole' });
    expect(identity.oidc).toEqual({
      issuer: 'https://idp.example',
      clientId: 'porthole',
      clientSecret: null,
      scopes: 'openid email profile',
      groupsClaim: 'groups',
      requireEmailVerified: true,
      tokenAuth: null,
    });
  });

  it('Access, the org default and FORWARD_EMAIL', () => {
    const { identity } = parseConfig({
      ...secrets,
      ACCESS_TEAM_DOMAIN: 'https://team.cloudflareaccess.com/',
      ACCESS_AUD: 'aud-tag',
      ORG_EMAIL_DOMAINS: ' Example.com, ,other.test',
      ORG_GROUPS: 'Eng,ops',
      FORWARD_EMAIL: 'on',
    });
    expect(identity.access).toEqual({ teamDomain: 'https://team.cloudflareaccess.com', audience: 'aud-tag' });
    expect(identity.defaultPolicy).toEqual({
      emailDomains: ['example.com', 'other.test'],
      emails: [],
      groups: ['Eng', 'ops'],
    });
    expect(identity.forwardEmail).toBe(true);
  });

  it.each([
    [{ OIDC_ISSUER: 'http://idp.example', OIDC_CLIENT_ID: 'x' }, 'OIDC_ISSUER'],
    [{ OIDC_ISSUER: 'https://idp.example' }, 'OIDC_CLIENT_ID is not set'],
    [{ OIDC_CLIENT_ID: 'x' }, 'OIDC_CLIENT_ID is set without OIDC_ISSUER'],
    [{ OIDC_ISSUER: 'https://idp.example', OIDC_CLIENT_ID: 'x', OIDC_SCOPES: 'email' }, 'OIDC_SCOPES'],
    [{ OIDC_ISSUER: 'https://idp.example?x=1', OIDC_CLIENT_ID: 'x' }, 'OIDC_ISSUER'],
    [{ ACCESS_TEAM_DOMAIN: 'https://team.cloudflareaccess.com' }, 'ACCESS_AUD is not set'],
    [{ ACCESS_AUD: 'x' }, 'ACCESS_AUD is set without ACCESS_TEAM_DOMAIN'],
    [{ FORWARD_EMAIL: 'yes' }, 'FORWARD_EMAIL'],
    [{ OIDC_ISSUER: 'https://i.example', OIDC_CLIENT_ID: 'x', OIDC_TOKEN_AUTH: 'private_key_jwt' }, 'OIDC_TOKEN_AUTH'],
    [{ OIDC_ISSUER: 'https://i.example', OIDC_CLIENT_ID: 'x', OIDC_REQUIRE_EMAIL_VERIFIED: 'no' }, 'OIDC_REQUIRE'],
  ])('%o is refused, naming %s', (vars, named) => {
    expect(problemsOf(vars).some((p) => p.includes(named))).toBe(true);
  });

  it('http is accepted on loopback only (tests)', () => {
    expect(problemsOf({ OIDC_ISSUER: 'http://127.0.0.1:9000', OIDC_CLIENT_ID: 'x' })).toEqual([]);
    expect(problemsOf({ ACCESS_TEAM_DOMAIN: 'http://localhost:9', ACCESS_AUD: 'a' })).toEqual([]);
  });
});
