/**
 * Who a signed-in person is, and what that makes them in a session (docs/identity.md): the
 * session's owner, a member of its organisation (the `org` visibility), or neither. Pure: the
 * identity comes verified from OIDC (oidc.ts) or Cloudflare Access (access.ts).
 */

/** A verified identity, from either source. */
export interface Identity {
  /** The issuer: the OIDC provider's `iss`, or the Access team domain (`https://<team>.cloudflareaccess.com`). */
  issuer: string;
  /** The issuer's stable id of the person (`sub`). */
  subject: string;
  /** The email, lowercase, or null when the provider gave none. */
  email: string | null;
  /** Whether the email may be trusted: Access always; OIDC when `email_verified` is true (or OIDC_REQUIRE_EMAIL_VERIFIED=off). */
  emailVerified: boolean;
  /** Group names (OIDC_GROUPS_CLAIM, default `groups`), at most MAX_GROUPS of at most MAX_GROUP_LENGTH characters. */
  groups: string[];
  /** Where it was verified. */
  source: 'oidc' | 'access';
}

/** Groups kept of an identity (the identity cookie must stay under 4 KiB). */
export const MAX_GROUPS = 32;
/** Longest group name kept, in characters. */
export const MAX_GROUP_LENGTH = 64;

/** A session's owner by identity (admin API `owner`): an email, or an issuer and subject, or all three. */
export interface OwnerIdentity {
  issuer?: string;
  subject?: string;
  /** Lowercase. */
  email?: string;
}

/** Who counts as the session's organisation (admin API `policy`, else ORG_EMAIL_DOMAINS / ORG_GROUPS). */
export interface OrgPolicy {
  /** Lowercase domains, matched exactly against the part after `@` of a verified email. */
  emailDomains: string[];
  /** Lowercase addresses, matched against a verified email. */
  emails: string[];
  /** Group names, matched exactly (case-sensitive, as providers send them). */
  groups: string[];
}

/** What a session knows of identity. */
export interface SessionIdentity {
  /** The owner by identity, or null (owner tokens and links only). */
  owner: OwnerIdentity | null;
  /** The session's own org policy, or null (the gateway's default applies). */
  policy: OrgPolicy | null;
  /** The session token's expiry, seconds since the epoch; null for a session created before identity. */
  until: number | null;
}

/** What an identity is to one session. */
export type IdentityRole = 'owner' | 'member' | 'none';

/** The verified email, or null when there is none or it may not be trusted. */
export function verifiedEmail(identity: Identity): string | null {
  return identity.emailVerified && identity.email ? identity.email.toLowerCase() : null;
}

/** Whether `identity` is the owner described by `owner` (every field given must match). */
export function isOwner(identity: Identity, owner: OwnerIdentity): boolean {
  if (owner.subject === undefined && owner.email === undefined) return false;
  if (owner.issuer !== undefined && owner.issuer !== identity.issuer) return false;
  if (owner.subject !== undefined && owner.subject !== identity.subject) return false;
  if (owner.email !== undefined && verifiedEmail(identity) !== owner.email.toLowerCase()) return false;
  return true;
}

/** Whether `identity` belongs to the organisation `policy` describes; an empty policy has no members. */
export function inOrg(identity: Identity, policy: OrgPolicy): boolean {
  const email = verifiedEmail(identity);
  if (email !== null) {
    if (policy.emails.includes(email)) return true;
    const domain = email.slice(email.lastIndexOf('@') + 1);
    if (email.includes('@') && policy.emailDomains.includes(domain)) return true;
  }
  return identity.groups.some((group) => policy.groups.includes(group));
}

/** Whether a policy can admit anyone at all. */
export function hasMembers(policy: OrgPolicy): boolean {
  return policy.emailDomains.length + policy.emails.length + policy.groups.length > 0;
}

/** The role of `identity` in a session owned by `owner` (if any) under `policy`. */
export function roleOf(identity: Identity, owner: OwnerIdentity | null, policy: OrgPolicy): IdentityRole {
  if (owner !== null && isOwner(identity, owner)) return 'owner';
  return inOrg(identity, policy) ? 'member' : 'none';
}

/** How an identity is named on a page: its email, else `subject at issuer`. */
export function describe(identity: Identity): string {
  return identity.email ?? `${identity.subject} at ${identity.issuer}`;
}
