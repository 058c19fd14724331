/**
 * The owner and org-policy flags shared by `porthole session create` and `porthole dev`
 * (docs/identity.md): --owner-email, --owner-issuer, --owner-subject, and the repeatable
 * --org-domain, --org-email, --org-group. Values are checked by the gateway (400 naming the field).
 */
import type { ApiSessionOwner, ApiSessionPolicy } from '../../protocol/api';

export const identityOptions = {
  'owner-email': { type: 'string' },
  'owner-issuer': { type: 'string' },
  'owner-subject': { type: 'string' },
  'org-domain': { type: 'string', multiple: true },
  'org-email': { type: 'string', multiple: true },
  'org-group': { type: 'string', multiple: true },
} as const;

/** The owner of --owner-email/--owner-issuer/--owner-subject, or undefined when none is given. */
export function ownerOf(values: { 'owner-email'?: string; 'owner-issuer'?: string; 'owner-subject'?: string }) {
  const owner: ApiSessionOwner = {};
  if (values['owner-email'] !== undefined) owner.email = values['owner-email'];
  if (values['owner-issuer'] !== undefined) owner.issuer = values['owner-issuer'];
  if (values['owner-subject'] !== undefined) owner.subject = values['owner-subject'];
  return Object.keys(owner).length > 0 ? owner : undefined;
}

/** The policy of the repeatable --org-domain/--org-email/--org-group, or undefined when none is given. */
export function policyOf(values: { 'org-domain'?: string[]; 'org-email'?: string[]; 'org-group'?: string[] }) {
  const policy: ApiSessionPolicy = {};
  if (values['org-domain']?.length) policy.emailDomains = values['org-domain'];
  if (values['org-email']?.length) policy.emails = values['org-email'];
  if (values['org-group']?.length) policy.groups = values['org-group'];
  return Object.keys(policy).length > 0 ? policy : undefined;
}

/** A policy on one line: `@example.com, bob@other.org, group eng`. */
export function members(policy: ApiSessionPolicy): string {
  const domains = (policy.emailDomains ?? []).map((domain) => `@${domain}`);
  const groups = (policy.groups ?? []).map((group) => `group ${group}`);
  return [...domains, ...(policy.emails ?? []), ...groups].join(', ');
}
