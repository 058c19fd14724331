/**
 * Refusals of a viewer admitted, or not, by who they are signed in as (docs/identity.md). Each
 * names the account the viewer is signed in with and what to do; none names the session's owner
 * or its policy (a viewer outside it learns nothing of either).
 */
import type { GatewayError } from '../errors';
import { describe, type Identity, verifiedEmail } from '../identity/identity';
import { type ClearCookie, refusal } from './refusals';

/** How to change accounts: Porthole's own sign-out for an OIDC sign-in, Access's for an Access one. */
const switchAccount = (identity: Identity): string =>
  identity.source === 'access'
    ? 'To use another account, sign out of Cloudflare Access at /cdn-cgi/access/logout and sign in again.'
    : 'To use another account, sign out at /auth/logout, then sign in with another account (/auth/login?prompt=login).';

/** 401 `org_required`: an `org` port and no credential: sign in, or open a share link you were given. */
export const orgRequired = (port: number): GatewayError =>
  refusal(
    401,
    'org_required',
    `Port ${port} of this session is open to its organisation: sign in with your organisation's account ` +
      `(a browser is sent to sign in), or open a share link you were given.`,
  );

/** 403 `not_owner`: signed in, but not as the session's owner, on a private port (or `what`: the dashboard). */
export const notOwner = (identity: Identity, what = 'This preview'): GatewayError =>
  refusal(
    403,
    'not_owner',
    `${what} is private to the session's owner. You are signed in as ${describe(identity)}, ` +
      `which is not the owner's account. ${switchAccount(identity)}`,
  );

/** 403 `not_owner`: a member of the organisation (by its port cookie) on a private port. */
export const memberOnPrivate = (port: number): GatewayError =>
  refusal(
    403,
    'not_owner',
    `Port ${port} of this session is private to its owner; you opened it as a member of the session's ` +
      `organisation. Ask the owner to share it with the organisation, or for a share link.`,
    { scheme: '', clear: false },
  );

/** Why an identity is not a member, in words that name nothing of the policy. */
function whyNotMember(identity: Identity): string {
  if (verifiedEmail(identity) === null) {
    return identity.email === null
      ? 'your provider gave no email address'
      : 'your provider does not say that email address is verified';
  }
  return "no address, email domain or group of the session's organisation matches it";
}

/** 403 `not_in_org`: signed in, but the session's organisation does not admit that account. */
export const notInOrg = (identity: Identity): GatewayError =>
  refusal(
    403,
    'not_in_org',
    `This preview is open to the session's organisation only. You are signed in as ${describe(identity)}, ` +
      `which it does not admit: ${whyNotMember(identity)}. Ask the owner for a share link. ${switchAccount(identity)}`,
  );

/** 403 `link_required`: a member of the organisation on a `link` port (links only, not the team). */
export const linkOnly = (identity: Identity): GatewayError =>
  refusal(
    403,
    'link_required',
    `This preview is shared by link only: being signed in as ${describe(identity)} is not enough. ` +
      `Open the share link you were given, or ask the owner for one.`,
  );

/** 401 `signed_out`: a credential of a sign-in that has since signed out. */
export const identitySignedOut = (cookie?: ClearCookie): GatewayError =>
  refusal(401, 'signed_out', 'You signed out since this preview was opened. Sign in again to open it.', cookie);
