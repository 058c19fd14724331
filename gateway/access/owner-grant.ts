/**
 * The grant every owner credential (owner token, login link, owner cookie)
 * carries, and the checks it is held to:
 * - `until`: the expiry of the session token the grant came from (seconds
 *   since the epoch). Every credential minted from it, and from those in
 *   turn, expires by then (tokens.ts caps `exp`), so no owner token, dashboard
 *   link or cookie outlives the session token, however often it is renewed.
 * - `epoch`: the session's sign-out epoch (session/owner-epoch.ts) when the
 *   grant began. "Sign out everywhere" bumps the epoch: every credential of an
 *   earlier epoch is refused (401 `signed_out`) from then on.
 * The session token itself is not an owner credential and keeps working: it
 * is the tunnel's, and mints a new grant (`POST /owner-token`).
 */
import type { TokenClaims } from '../auth/tokens';
import type { GatewayError } from '../errors';
import { type ClearCookie, refusal } from './refusals';

export interface OwnerGrant {
  /** The session token's expiry, seconds since the epoch. */
  until: number;
  /** The sign-out epoch the grant belongs to. */
  epoch: number;
}

/** The grant of verified owner claims (verifyToken refuses an owner kind without one). */
export function grantOf(claims: TokenClaims): OwnerGrant {
  if (claims.until === undefined || claims.epoch === undefined) throw new Error(`a ${claims.kind} token has no grant`);
  return { until: claims.until, epoch: claims.epoch };
}

/** Where the owner signs in again, by what was refused. */
const AGAIN = {
  token: 'Get a new owner token with `porthole token`.',
  dashboard: 'Run `porthole dashboard` in the session for a new link.',
  preview: 'Sign in again: run `porthole dashboard` (or `porthole login <port>`) in the session and open the link.',
} as const;

/** 401 `signed_out`: the credential belongs to an epoch before the last "sign out everywhere". */
export const signedOut = (what: keyof typeof AGAIN, cookie?: ClearCookie): GatewayError =>
  refusal(401, 'signed_out', `This login was ended by "sign out everywhere" for this session. ${AGAIN[what]}`, cookie);

/**
 * Throws `signed_out` (worded for `what`) unless the claims' grant is of the session's `current`
 * epoch. A grant of a later epoch than the session holds cannot be minted, so it is refused too.
 */
export function requireEpoch(
  claims: TokenClaims,
  current: number,
  what: keyof typeof AGAIN,
  cookie?: ClearCookie,
): void {
  if (grantOf(claims).epoch !== current) throw signedOut(what, cookie);
}
