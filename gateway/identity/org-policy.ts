/**
 * Whether a session can use the `org` visibility (docs/identity.md): `org` means "the session's
 * organisation", so it needs a policy with members. The session's effective policy is its own
 * (admin API `policy`), else the gateway's default (ORG_EMAIL_DOMAINS, ORG_GROUPS); with neither,
 * no one is a member and setting `org` is refused (409 `org_policy_missing`), whoever asks: the
 * owner API and the dashboard (Session.setVisibility, the owner's EXPOSE), or the client's own
 * announcement (port-control.ts, which makes such a port private and says why in the snapshot).
 * Also the admin API's refusal of `owner`/`policy` on a gateway without a provider.
 */
import type { Visibility } from '../../protocol';
import { GatewayError } from '../errors';
import type { IdentityConfig } from './config';
import { hasMembers, type OrgPolicy } from './identity';

/** The policy that decides who is a member: the session's own, else the gateway's default. */
export function effectivePolicy(own: OrgPolicy | null, identity: IdentityConfig): OrgPolicy {
  return own ?? identity.defaultPolicy;
}

/** Whether `org` may be set on a session with policy `own` (null: none of its own). */
export function orgAllowed(own: OrgPolicy | null, identity: IdentityConfig): boolean {
  return hasMembers(effectivePolicy(own, identity));
}

/** The reason `org` is refused, for the 409 and for the client's snapshot (PortEntry `refused`). */
export const ORG_POLICY_MISSING_REASON =
  'The org visibility needs an organisation, and this session has none: no one could be let in as a member. ' +
  'Create the session with a policy (admin API `policy`, `porthole session create --org-domain example.com`, ' +
  'or locally `porthole dev --org-domain example.com`), ' +
  'or have the gateway set ORG_EMAIL_DOMAINS or ORG_GROUPS. Meanwhile use link (share links) or private.';

/** 409 `org_policy_missing`: `org` asked for on a session whose effective policy has no members. */
export const orgPolicyMissing = () => new GatewayError(409, 'org_policy_missing', ORG_POLICY_MISSING_REASON);

/**
 * What the client's announced visibility becomes: `org` is made `private` when the session cannot
 * use it (fail closed: not even link holders get in, so the owner notices), anything else as announced.
 */
export function announcedVisibility(visibility: Visibility | undefined, allowed: boolean): Visibility | undefined {
  return visibility === 'org' && !allowed ? 'private' : visibility;
}

/** 409 `identity_not_configured`: `owner` or `policy` given to a gateway with neither OIDC nor Access. */
export const identityNotConfigured = (field: 'owner' | 'policy') =>
  new GatewayError(
    409,
    'identity_not_configured',
    `This gateway has no identity provider (neither OIDC_ISSUER nor ACCESS_TEAM_DOMAIN is set), so nobody can sign in ` +
      `and the session's ${field} could never be honoured. Configure a provider (README, "Sign in with your identity ` +
      `provider"), or create the session without owner and policy.`,
  );
