/**
 * The dashboard for an owner signed in with the team's provider (docs/identity.md): no dashboard
 * cookie is minted; the identity (identity cookie or Access assertion) is read on each request, so
 * signing out ends the dashboard at once; a copy of the identity cookie kept from before the sign-out
 * is refused (401 `signed_out`) by every session the sign-in had opened, as its port cookies are. A browser that opens the dashboard signed in as nobody
 * is sent to sign in first, when OIDC is configured.
 */
import { isNavigation, SignInRedirect } from '../access/signin';
import type { TokenClaims } from '../auth/tokens';
import { config } from '../config';
import type { Env } from '../env';
import type { GatewayError } from '../errors';
import { identitySignedOut, notOwner } from '../access/identity-refusals';
import { IDENTITY_TTL_SECONDS } from '../identity/identity-cookie';
import { verifiedEmail } from '../identity/identity';
import { sessionRole } from '../identity/session-role';
import { signedIn } from '../identity/signed-in';
import { sessionStub } from '../routing/stub';

/**
 * The owner's claims as a dashboard cookie would hold them, for the session's owner by identity; else null.
 * Throws 403 `not_owner` for someone else signed in; for a sign-in signed out of this session, a
 * navigation is sent to sign in again (OIDC), anything else gets 401 `signed_out`.
 */
export async function identityOwner(request: Request, env: Env, session: string): Promise<TokenClaims | null> {
  const cfg = config(env);
  const who = await signedIn(request, cfg);
  if (who === null) return null;
  const stub = sessionStub(env, session);
  const settings = await stub.sessionIdentity();
  if (sessionRole(who.identity, settings, cfg.identity) !== 'owner')
    throw notOwner(who.identity, "This session's dashboard");
  // The sign-in began IDENTITY_TTL_SECONDS before it ends (a flood of sign-outs ends every sign-in begun before it).
  if (who.sid !== null && (await stub.isIdentitySignedOut(who.sid, who.expiresAt - IDENTITY_TTL_SECONDS))) {
    // A browser's navigation signs in again (a new sign-in, not signed out); anything else is told why.
    throw dashboardSignIn(request, env, session) ?? identitySignedOut();
  }
  const until = Math.min(settings.until ?? who.expiresAt, who.expiresAt);
  const email = verifiedEmail(who.identity);
  return {
    kind: 'cookie',
    session,
    expiresAt: until,
    until,
    epoch: await stub.ownerEpoch(),
    ...(who.sid !== null ? { sid: who.sid } : {}),
    ...(email !== null ? { email } : {}),
  };
}

/** A 303 sending a browser's navigation to sign in and back to the dashboard, when OIDC is configured; else null. */
export function dashboardSignIn(request: Request, env: Env, session: string): GatewayError | null {
  if (config(env).identity.oidc === null || !isNavigation(request)) return null;
  const url = new URL(request.url);
  const location = `${url.origin}/auth/login?${new URLSearchParams({ return: `/s/${session}` }).toString()}`;
  return new SignInRedirect(location, null);
}
