/**
 * The verified claims of an ID token, as an Identity (docs/identity.md). Pure: the token's
 * signature, issuer, audience, expiry and nonce are checked before (oidc.ts); this only decides
 * what of it to trust and keeps it small enough for the identity cookie.
 */
import { MAX_EMAIL_LENGTH } from '../auth/tokens';
import type { OidcConfig } from './config';
import { type Identity, MAX_GROUP_LENGTH, MAX_GROUPS } from './identity';

/** Longest subject accepted, in characters (OIDC Core §2: at most 255 ASCII characters). */
export const MAX_SUBJECT_LENGTH = 255;

/** Why claims cannot be an identity (oidc.ts turns it into 401 `oidc_failed`). */
export class ClaimsError extends Error {
  override readonly name = 'ClaimsError';
}

/**
 * `claims` (a verified ID token's payload) → Identity.
 * - issuer and subject: `iss` and `sub`, required non-empty strings (`sub` at most MAX_SUBJECT_LENGTH);
 * - email: `email` when a string with an `@`, trimmed and lowercased, at most MAX_EMAIL_LENGTH (auth/tokens.ts, 254); else null;
 * - emailVerified: an email, and `email_verified === true` (or `requireEmailVerified` off);
 * - groups: the `groupsClaim` claim, an array (or one string) of names; non-strings, empty names
 *   and names over MAX_GROUP_LENGTH dropped, duplicates dropped, the first MAX_GROUPS kept.
 * @throws ClaimsError without `iss` or `sub`.
 */
export function identityFromClaims(
  claims: Readonly<Record<string, unknown>>,
  config: Pick<OidcConfig, 'groupsClaim' | 'requireEmailVerified'>,
): Identity {
  const { iss, sub } = claims;
  if (typeof iss !== 'string' || iss === '') throw new ClaimsError('the ID token names no issuer');
  if (typeof sub !== 'string' || sub === '' || sub.length > MAX_SUBJECT_LENGTH) {
    throw new ClaimsError('the ID token names no usable subject');
  }
  const email = emailOf(claims.email);
  return {
    issuer: iss,
    subject: sub,
    email,
    emailVerified: email !== null && (claims.email_verified === true || !config.requireEmailVerified),
    groups: groupsOf(claims[config.groupsClaim]),
    source: 'oidc',
  };
}

function emailOf(raw: unknown): string | null {
  if (typeof raw !== 'string') return null;
  const email = raw.trim().toLowerCase();
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1 || email.length > MAX_EMAIL_LENGTH || /\s/.test(email)) return null;
  return email;
}

function groupsOf(raw: unknown): string[] {
  const items: unknown[] = Array.isArray(raw) ? raw : typeof raw === 'string' ? [raw] : [];
  const kept = new Set<string>();
  for (const item of items) {
    if (kept.size >= MAX_GROUPS) break;
    if (typeof item === 'string' && item !== '' && item.length <= MAX_GROUP_LENGTH) kept.add(item);
  }
  return [...kept];
}
