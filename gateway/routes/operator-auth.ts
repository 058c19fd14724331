/**
 * Who may drive a session's lifecycle and read its event feed (issue 19): the platform's operator
 * with the gateway's admin token, or the session itself with its session token, and for reads an
 * owner token of the session (of the current sign-out epoch, owner-grant.ts). Each route says which
 * of them it accepts. Refusals: 401 `unauthorized` (no token, or none of the accepted kinds
 * verifies), 403 `forbidden` (a token of another session), 401 `signed_out` (a stale owner token).
 */
import { requireEpoch } from '../access/owner-grant';
import { bearerRefused, tokenForOtherSession } from '../access/refusals';
import { secretsEqual, type TokenClaims, TokenError, verifyToken } from '../auth/tokens';
import type { GatewayConfig } from '../config';
import { bearer } from './input';

/** A credential a lifecycle route may accept. */
export type OperatorKind = 'admin' | 'session' | 'owner';

/**
 * The caller: the operator (`admin`, no expiry), or a session or owner token of `session` with its
 * expiry (`expiresAt`, seconds since the epoch).
 */
export type Operator = { kind: 'admin' } | { kind: 'session' | 'owner'; expiresAt: number; claims: TokenClaims };

const NAMES: Record<OperatorKind, string> = {
  admin: 'the admin token',
  session: 'the session token',
  owner: 'an owner token',
};

/**
 * The request's bearer credential if it is one of `accepted` for `session`, or the refusal.
 * `epoch` reads the session's sign-out epoch; it is called only for an owner token.
 */
export async function operatorOf(
  request: Request,
  config: GatewayConfig,
  session: string,
  accepted: readonly OperatorKind[],
  epoch: () => Promise<number>,
): Promise<Operator> {
  const needed = `This needs ${accepted.map((k) => NAMES[k]).join(' or ')} as a Bearer token`;
  const token = bearer(request);
  if (!token) throw bearerRefused(`${needed}: Authorization: Bearer <token>.`);
  if (accepted.includes('admin') && config.adminToken !== null && (await secretsEqual(token, config.adminToken))) {
    return { kind: 'admin' };
  }
  const kinds = accepted.filter((k): k is 'session' | 'owner' => k !== 'admin');
  let claims: TokenClaims;
  try {
    if (kinds.length === 0) throw new TokenError('invalid');
    claims = await verifyToken(config, token, kinds);
  } catch (error) {
    if (error instanceof TokenError) {
      // `invalid` also means a valid token of a kind not accepted here (a session token where only the admin's is).
      const why = error.problem === 'invalid' ? 'is none of these' : `is not accepted (${error.problem})`;
      throw bearerRefused(`${needed}; the token given ${why}.`);
    }
    throw error;
  }
  if (claims.session !== session) throw tokenForOtherSession();
  if (claims.kind === 'owner') requireEpoch(claims, await epoch(), 'token');
  return { kind: claims.kind === 'owner' ? 'owner' : 'session', expiresAt: claims.expiresAt, claims };
}
