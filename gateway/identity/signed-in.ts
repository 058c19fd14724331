/**
 * The identity a request carries, from whichever source the gateway is configured with
 * (docs/identity.md): a Cloudflare Access assertion (`Cf-Access-Jwt-Assertion`, access.ts), else
 * the OIDC identity cookie on the control domain (identity-cookie.ts). Port hosts never see the
 * identity cookie (another site); there only an Access assertion counts.
 */
import type { GatewayConfig } from '../config';
import { ACCESS_HEADER, verifyAccessAssertion } from './access';
import type { Identity } from './identity';
import { IDENTITY_TTL_SECONDS, readIdentityCookie } from './identity-cookie';

/** A verified sign-in. */
export interface SignedIn {
  identity: Identity;
  /** The sign-in's id (identity cookie); null for an Access assertion (nothing of ours to sign out). */
  sid: string | null;
  /** Sessions this sign-in opened ports of, most recent first, at most MAX_REMEMBERED_SESSIONS (identity cookie only). */
  sessions: string[];
  /** When the sign-in ends, seconds since the epoch. */
  expiresAt: number;
}

/** Sessions one identity cookie remembers for sign-out. */
export const MAX_REMEMBERED_SESSIONS = 32;

/**
 * The sign-in of `request`: its Access assertion when Access is configured and the header is
 * present (a bad one throws 401 `access_assertion_invalid`: never read as "not signed in"), else
 * its identity cookie when OIDC is configured, else null.
 */
export async function signedIn(request: Request, config: GatewayConfig): Promise<SignedIn | null> {
  const { access, oidc } = config.identity;
  const assertion = request.headers.get(ACCESS_HEADER);
  if (access !== null && assertion !== null) {
    const { identity, expiresAt } = await verifyAccessAssertion(assertion.trim(), access);
    // What is minted from an assertion (a port cookie) lives no longer than the assertion's Access session.
    const latest = Math.floor(Date.now() / 1000) + IDENTITY_TTL_SECONDS;
    return { identity, sid: null, sessions: [], expiresAt: Math.min(expiresAt, latest) };
  }
  return oidc === null ? null : readIdentityCookie(request, config);
}
