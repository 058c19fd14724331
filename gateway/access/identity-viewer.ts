/**
 * Viewers admitted by who they are (docs/identity.md), on a port's host:
 * - a Cloudflare Access assertion (`Cf-Access-Jwt-Assertion`), read on every request when the
 *   gateway is behind Access: the session's owner, a member of its organisation, or neither;
 * - a port cookie minted from a sign-in (an owner `cookie` with a `sid`, a `member` cookie),
 *   refused once that sign-in signed out of this session (401 `signed_out`).
 */
import type { TokenClaims } from '../auth/tokens';
import type { GatewayConfig } from '../config';
import { ACCESS_HEADER, verifyAccessAssertion } from '../identity/access';
import { type Identity, type SessionIdentity, verifiedEmail } from '../identity/identity';
import { sessionRole } from '../identity/session-role';
import { identitySignedOut } from './identity-refusals';
import type { Viewer } from './policy';
import type { ClearCookie } from './refusals';

/** What admission by identity asks of the session. */
export interface IdentityContext {
  config: GatewayConfig;
  /** The sign-out epoch every owner credential must carry (owner-grant.ts). */
  ownerEpoch(): Promise<number>;
  /** The session's owner identity, org policy and token expiry (session/identity-store.ts). */
  identity(): Promise<SessionIdentity>;
  /** Whether credentials of sign-in `sid` issued at `issuedAt` (seconds) were signed out of this session. */
  isSignedOut(sid: string, issuedAt: number): Promise<boolean>;
}

/** What an Access assertion makes of a request: a viewer (owner or member), or none with the identity (to name it in a refusal). */
export interface AccessOutcome {
  viewer: Viewer | null;
  identity: Identity;
}

/**
 * The viewer a request's Access assertion proves, or null when the gateway is not behind Access or
 * the request has none. A bad assertion throws 401 `access_assertion_invalid` (never read as "anyone").
 */
export async function accessViewer(ctx: IdentityContext, request: Request): Promise<AccessOutcome | null> {
  const access = ctx.config.identity.access;
  const assertion = request.headers.get(ACCESS_HEADER);
  if (access === null || assertion === null) return null;
  const { identity, expiresAt } = await verifyAccessAssertion(assertion.trim(), access);
  const settings = await ctx.identity();
  const email = verifiedEmail(identity) ?? undefined;
  switch (sessionRole(identity, settings, ctx.config.identity)) {
    case 'owner': {
      const until = settings.until ?? expiresAt;
      const viewer: Viewer = { kind: 'owner', epoch: await ctx.ownerEpoch(), expiresAt: Math.min(expiresAt, until) };
      return { viewer: email === undefined ? viewer : { ...viewer, email }, identity };
    }
    case 'member':
      return { viewer: { kind: 'member', email: email ?? null, sid: null, expiresAt }, identity };
    case 'none':
      return { viewer: null, identity };
  }
}

/** Throws 401 `signed_out` (clearing the cookie when asked) when `claims` came from a sign-in signed out of this session. */
export async function requireSignedIn(ctx: IdentityContext, claims: TokenClaims, cookie?: ClearCookie): Promise<void> {
  if (claims.sid === undefined) return;
  if (await ctx.isSignedOut(claims.sid, claims.issuedAt ?? 0)) throw identitySignedOut(cookie);
}

/** The viewer of a verified `member` cookie for this port (session and port already checked). */
export async function memberViewer(ctx: IdentityContext, claims: TokenClaims, cookie: ClearCookie): Promise<Viewer> {
  await requireSignedIn(ctx, claims, cookie);
  return { kind: 'member', email: claims.email ?? null, sid: claims.sid ?? null, expiresAt: claims.expiresAt };
}
