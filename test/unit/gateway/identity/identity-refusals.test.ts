import { describe, expect, it } from 'vitest';
import { notInOrg, notOwner } from '../../../../gateway/access/identity-refusals';
import type { Identity } from '../../../../gateway/identity/identity';

const oidc: Identity = {
  issuer: 'https://login.example.com',
  subject: 'eve',
  email: 'eve@other.test',
  emailVerified: true,
  groups: [],
  source: 'oidc',
};
const access: Identity = { ...oidc, issuer: 'https://team.cloudflareaccess.com', source: 'access' };

describe('the not_owner and not_in_org refusals say how to change accounts, for the way the viewer signed in', () => {
  it('an OIDC sign-in: sign out here, then sign in with another account (prompt=login)', () => {
    for (const error of [notOwner(oidc), notInOrg(oidc)]) {
      expect(error.message).toContain('sign out at /auth/logout, then sign in with another account');
      expect(error.message).toContain('/auth/login?prompt=login');
      expect(error.message).not.toContain('cdn-cgi');
    }
  });

  it("an Access sign-in: Porthole's sign-out would do nothing, so Access's own", () => {
    for (const error of [notOwner(access), notInOrg(access)]) {
      expect(error.message).toContain('sign out of Cloudflare Access at /cdn-cgi/access/logout');
      expect(error.message).not.toContain('/auth/logout');
    }
  });

  it('names the dashboard when it is the dashboard that is refused', () => {
    expect(notOwner(oidc, "This session's dashboard").message).toMatch(/^This session's dashboard is private/);
    expect(notOwner(oidc).message).toMatch(/^This preview is private/);
  });
});
