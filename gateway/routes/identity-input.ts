/**
 * The admin API's identity fields (`POST /api/sessions`, docs/identity.md): `owner` and `policy`,
 * read from the JSON body. Every problem is a 400 `bad_request` naming the field
 * (`owner.email`, `policy.groups[2]` …). Emails and domains are lowercased; groups are kept as
 * given (providers' group names are case-sensitive).
 *
 * Shapes:
 * - `owner`: `{ email }` or `{ issuer, subject }` (or all three, or `{ email, issuer }`); `issuer` an
 *   https URL (http only on loopback), `subject` 1–255 characters, `email` an address of at most MAX_EMAIL characters.
 * - `policy`: `{ emailDomains?, emails?, groups? }`, each a list of at most MAX_POLICY_ENTRIES
 *   strings: domains of at most MAX_DOMAIN characters, emails as above, groups 1–MAX_GROUP_LENGTH.
 */
import { badRequest } from '../control-errors';
import { isIssuerUrl } from '../identity/config';
import { MAX_GROUP_LENGTH, type OrgPolicy, type OwnerIdentity } from '../identity/identity';

/** Longest email address (RFC 5321 path limit), in characters. */
export const MAX_EMAIL = 254;
/** Longest domain name, in characters. */
export const MAX_DOMAIN = 253;
/** Longest issuer URL or subject, in characters. */
export const MAX_ISSUER = 2048;
export const MAX_SUBJECT = 255;
/** Entries per policy list. */
export const MAX_POLICY_ENTRIES = 32;

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const DOMAIN = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;
// Printable, no control characters (C0, DEL, C1).
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > max || CONTROL.test(value)) {
    throw badRequest(`${field} must be a string of 1 to ${max} characters, without control characters.`);
  }
  return value;
}

function email(value: unknown, field: string): string {
  const address = text(value, field, MAX_EMAIL).toLowerCase();
  if (!EMAIL.test(address)) throw badRequest(`${field} must be an email address (name@domain).`);
  return address;
}

function domain(value: unknown, field: string): string {
  const name = text(value, field, MAX_DOMAIN).toLowerCase();
  if (!DOMAIN.test(name)) throw badRequest(`${field} must be a domain name such as example.com (no @, no scheme).`);
  return name;
}

function group(value: unknown, field: string): string {
  return text(value, field, MAX_GROUP_LENGTH);
}

function issuer(value: unknown, field: string): string {
  const raw = text(value, field, MAX_ISSUER);
  if (!isIssuerUrl(raw)) {
    throw badRequest(`${field} must be an https URL (http only on loopback), without query or fragment.`);
  }
  return raw;
}

function record(value: unknown, field: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw badRequest(`${field} must be a JSON object.`);
  }
  const unknown = Object.keys(value).find((key) => !keys.includes(key));
  if (unknown !== undefined) throw badRequest(`${field}.${unknown} is not a field of ${field} (${keys.join(', ')}).`);
  return value as Record<string, unknown>;
}

function list(value: unknown, field: string, item: (v: unknown, field: string) => string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw badRequest(`${field} must be a list of strings.`);
  if (value.length > MAX_POLICY_ENTRIES) throw badRequest(`${field} must hold at most ${MAX_POLICY_ENTRIES} entries.`);
  return [...new Set(value.map((v, i) => item(v, `${field}[${i}]`)))];
}

/** The body's `owner`, or null when absent; a 400 naming the field when it is malformed. */
export function ownerOf(value: unknown): OwnerIdentity | null {
  if (value === undefined || value === null) return null;
  const o = record(value, 'owner', ['email', 'issuer', 'subject']);
  const owner: OwnerIdentity = {};
  if (o.issuer !== undefined) owner.issuer = issuer(o.issuer, 'owner.issuer');
  if (o.subject !== undefined) owner.subject = text(o.subject, 'owner.subject', MAX_SUBJECT);
  if (o.email !== undefined) owner.email = email(o.email, 'owner.email');
  if (owner.email === undefined && owner.subject === undefined) {
    throw badRequest('owner must name an email, or an issuer and subject (or all three).');
  }
  // A subject is unique only at its issuer.
  if (owner.subject !== undefined && owner.issuer === undefined) {
    throw badRequest('owner.issuer is required with owner.subject (a subject is unique only at its issuer).');
  }
  return owner;
}

/** The body's `policy`, or null when absent; a 400 naming the field when it is malformed. */
export function policyOf(value: unknown): OrgPolicy | null {
  if (value === undefined || value === null) return null;
  const o = record(value, 'policy', ['emailDomains', 'emails', 'groups']);
  return {
    emailDomains: list(o.emailDomains, 'policy.emailDomains', domain),
    emails: list(o.emails, 'policy.emails', email),
    groups: list(o.groups, 'policy.groups', group),
  };
}
