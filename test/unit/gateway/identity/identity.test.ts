import { describe, expect, it } from 'vitest';
import {
  describe as describeIdentity,
  hasMembers,
  type Identity,
  inOrg,
  isOwner,
  type OrgPolicy,
  roleOf,
} from '../../../../gateway/identity/identity';

const alice: Identity = {
  issuer: 'https://idp.example',
  subject: 'a-1',
  email: 'alice@example.com',
  emailVerified: true,
  groups: ['eng'],
  source: 'oidc',
};
const unverified: Identity = { ...alice, emailVerified: false };
const policy: OrgPolicy = { emailDomains: ['example.com'], emails: ['carol@other.test'], groups: ['ops'] };
const none: OrgPolicy = { emailDomains: [], emails: [], groups: [] };

describe('isOwner (docs/identity.md: every field given must match)', () => {
  it.each([
    ['email, any case', { email: 'Alice@Example.com' }, alice, true],
    ['issuer + subject', { issuer: 'https://idp.example', subject: 'a-1' }, alice, true],
    ['all three', { issuer: 'https://idp.example', subject: 'a-1', email: 'alice@example.com' }, alice, true],
    ['another subject', { issuer: 'https://idp.example', subject: 'a-2' }, alice, false],
    ['another issuer', { issuer: 'https://evil.example', subject: 'a-1' }, alice, false],
    ['an unverified email', { email: 'alice@example.com' }, unverified, false],
    ['subject matches, email does not', { subject: 'a-1', email: 'x@example.com' }, alice, false],
    ['an issuer alone names no one', { issuer: 'https://idp.example' }, alice, false],
    ['nothing names no one', {}, alice, false],
  ] as const)('%s', (_, owner, identity, expected) => {
    expect(isOwner(identity, owner)).toBe(expected);
  });
});

describe('inOrg', () => {
  it.each([
    ['by domain', alice, true],
    ['by address', { ...alice, email: 'carol@other.test', groups: [] }, true],
    ['by group', { ...alice, email: 'dan@elsewhere.test', groups: ['ops'] }, true],
    ['a domain that only ends the same', { ...alice, email: 'x@notexample.com', groups: [] }, false],
    ['a subdomain', { ...alice, email: 'x@eu.example.com', groups: [] }, false],
    ['an unverified email of the domain', { ...unverified, groups: [] }, false],
    ['a group in another case', { ...alice, email: null, groups: ['OPS'] }, false],
  ] as [string, Identity, boolean][])('%s', (_, identity, expected) => {
    expect(inOrg(identity, policy)).toBe(expected);
  });

  it('an empty policy has no members (fails closed)', () => {
    expect(hasMembers(none)).toBe(false);
    expect(inOrg(alice, none)).toBe(false);
    expect(hasMembers(policy)).toBe(true);
  });
});

describe('roleOf and describe', () => {
  it('the owner before the member; neither is none', () => {
    expect(roleOf(alice, { email: 'alice@example.com' }, policy)).toBe('owner');
    expect(roleOf(alice, { email: 'bob@example.com' }, policy)).toBe('member');
    expect(roleOf(alice, null, none)).toBe('none');
  });

  it('names an identity by email, else subject at issuer', () => {
    expect(describeIdentity(alice)).toBe('alice@example.com');
    expect(describeIdentity({ ...alice, email: null })).toBe('a-1 at https://idp.example');
  });
});
