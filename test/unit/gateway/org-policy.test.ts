/** identity/org-policy.ts and routes/identity-input.ts: who decides `org`, and what the admin API reads. */
import { describe, expect, it } from 'vitest';
import { parseIdentityConfig } from '../../../gateway/identity/config';
import {
  announcedVisibility,
  effectivePolicy,
  orgAllowed,
  orgPolicyMissing,
} from '../../../gateway/identity/org-policy';
import { ownerOf, policyOf } from '../../../gateway/routes/identity-input';
import { GatewayError } from '../../../gateway/errors';

const identity = (vars: Record<string, string> = {}) => parseIdentityConfig(vars, []);
const own = { emailDomains: [], emails: ['bob@example.com'], groups: [] };

describe('org policy', () => {
  it("the session's own policy wins over the gateway's default, which applies without one", () => {
    const gateway = identity({ ORG_EMAIL_DOMAINS: 'Example.com', ORG_GROUPS: 'eng' });
    expect(effectivePolicy(own, gateway)).toBe(own);
    expect(effectivePolicy(null, gateway)).toEqual({ emailDomains: ['example.com'], emails: [], groups: ['eng'] });
  });

  it('org is allowed only when the effective policy has members', () => {
    expect(orgAllowed(null, identity())).toBe(false);
    expect(orgAllowed({ emailDomains: [], emails: [], groups: [] }, identity({ ORG_GROUPS: 'eng' }))).toBe(false);
    expect(orgAllowed(own, identity())).toBe(true);
    expect(orgAllowed(null, identity({ ORG_GROUPS: 'eng' }))).toBe(true);
  });

  it('an announced org is private when not allowed; anything else passes as announced', () => {
    expect(announcedVisibility('org', false)).toBe('private');
    expect(announcedVisibility('org', true)).toBe('org');
    for (const v of ['private', 'link', 'public', undefined] as const) expect(announcedVisibility(v, false)).toBe(v);
  });

  it('the refusal is a 409 org_policy_missing saying how to fix it', () => {
    const error = orgPolicyMissing();
    expect(error).toBeInstanceOf(GatewayError);
    expect([error.status, error.code]).toEqual([409, 'org_policy_missing']);
    expect(error.message).toMatch(/policy.*ORG_EMAIL_DOMAINS or ORG_GROUPS/s);
  });
});

describe('admin API identity input', () => {
  const refusal = (read: () => unknown) => {
    try {
      read();
    } catch (error) {
      return error instanceof GatewayError ? `${error.status} ${error.code}: ${error.message}` : String(error);
    }
    return 'accepted';
  };

  it('reads the owner forms the docs give, lowercasing the email', () => {
    expect(ownerOf(undefined)).toBeNull();
    expect(ownerOf({ email: 'A@B.example' })).toEqual({ email: 'a@b.example' });
    expect(ownerOf({ issuer: 'https://id.example', subject: 's' })).toEqual({
      issuer: 'https://id.example',
      subject: 's',
    });
    expect(ownerOf({ issuer: 'http://localhost:9000', email: 'a@b.c' })).toEqual({
      issuer: 'http://localhost:9000',
      email: 'a@b.c',
    });
    expect(refusal(() => ownerOf({ subject: 's' }))).toMatch(/^400 bad_request: owner\.issuer/);
    expect(refusal(() => ownerOf({ email: 'a\u0000@b.c' }))).toMatch(/owner\.email/);
  });

  it('reads a policy: lists deduplicated, emails and domains lowercased, groups as given, bounds enforced', () => {
    expect(policyOf({ emailDomains: ['A.com', 'a.com'], groups: ['Eng'] })).toEqual({
      emailDomains: ['a.com'],
      emails: [],
      groups: ['Eng'],
    });
    expect(policyOf({ emails: Array.from({ length: 32 }, (_, i) => `u${i}@x.io`) })?.emails).toHaveLength(32);
    expect(refusal(() => policyOf({ emails: Array.from({ length: 33 }, (_, i) => `u${i}@x.io`) }))).toMatch(
      /policy\.emails must hold at most 32/,
    );
    expect(refusal(() => policyOf({ emailDomains: ['-bad.com'] }))).toMatch(/policy\.emailDomains\[0\]/);
    expect(refusal(() => policyOf({ groups: ['g'.repeat(64)] }))).toBe('accepted');
  });
});
