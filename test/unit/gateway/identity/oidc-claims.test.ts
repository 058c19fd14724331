/** ID token claims → Identity (gateway/identity/oidc-claims.ts): what is trusted, what is dropped. */
import { describe, expect, it } from 'vitest';
import { MAX_GROUP_LENGTH, MAX_GROUPS } from '../../../../gateway/identity/identity';
import { ClaimsError, identityFromClaims } from '../../../../gateway/identity/oidc-claims';

const strict = { groupsClaim: 'groups', requireEmailVerified: true };
const base = { iss: 'https://idp.example', sub: 'u-1' };

describe('identityFromClaims', () => {
  it('maps a full set of claims, the email lowercased', () => {
    expect(
      identityFromClaims({ ...base, email: ' Alice@Example.COM ', email_verified: true, groups: ['eng'] }, strict),
    ).toEqual({
      issuer: 'https://idp.example',
      subject: 'u-1',
      email: 'alice@example.com',
      emailVerified: true,
      groups: ['eng'],
      source: 'oidc',
    });
  });

  it('trusts the email only with email_verified === true, unless the requirement is off', () => {
    for (const email_verified of [false, 'true', 1, undefined]) {
      expect(identityFromClaims({ ...base, email: 'a@b.c', email_verified }, strict).emailVerified).toBe(false);
    }
    const lax = { ...strict, requireEmailVerified: false };
    expect(identityFromClaims({ ...base, email: 'a@b.c' }, lax).emailVerified).toBe(true);
    expect(identityFromClaims({ ...base }, lax)).toMatchObject({ email: null, emailVerified: false });
  });

  it('keeps no email that is not one', () => {
    for (const email of [42, '', 'no-at', '@b.c', 'a@', 'a b@c.d', `${'a'.repeat(250)}@b.cd`]) {
      expect(identityFromClaims({ ...base, email, email_verified: true }, strict).email).toBeNull();
    }
  });

  it('reads groups from the configured claim, drops non-strings, empties, long names and duplicates, and bounds the count', () => {
    const long = 'x'.repeat(MAX_GROUP_LENGTH + 1);
    const claims = { ...base, roles: ['a', 7, null, '', long, 'a', 'b', { g: 'c' }] };
    expect(identityFromClaims(claims, { ...strict, groupsClaim: 'roles' }).groups).toEqual(['a', 'b']);
    expect(identityFromClaims(claims, strict).groups).toEqual([]);
    expect(identityFromClaims({ ...base, groups: 'solo' }, strict).groups).toEqual(['solo']);
    const many = Array.from({ length: MAX_GROUPS + 10 }, (_, i) => `g${i}`);
    expect(identityFromClaims({ ...base, groups: many }, strict).groups).toEqual(many.slice(0, MAX_GROUPS));
  });

  it('refuses claims without an issuer or a usable subject', () => {
    expect(() => identityFromClaims({ sub: 'x' }, strict)).toThrow(ClaimsError);
    expect(() => identityFromClaims({ iss: 'i' }, strict)).toThrow(ClaimsError);
    expect(() => identityFromClaims({ iss: 'i', sub: '' }, strict)).toThrow(ClaimsError);
    expect(() => identityFromClaims({ iss: 'i', sub: 7 }, strict)).toThrow(ClaimsError);
    expect(() => identityFromClaims({ iss: 'i', sub: 's'.repeat(256) }, strict)).toThrow(ClaimsError);
  });
});
