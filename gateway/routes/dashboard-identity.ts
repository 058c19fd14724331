/**
 * The dashboard for an owner signed in with the team's provider (docs/identity.md): no dashboard
 * cookie is minted; the identity (identity cookie or Access assertion) is read on each request, so
 * signing out ends the dashboard at once. A browser that opens the dashboard signed in as nobody
 * is sent to sign in first, when OIDC is configured.
 */
import { isNavigation, SignInRedirect } from '../access/signin';
import type { TokenClaims } from '../auth/tokens';
import { config } from '../config';
import type { Env } from '../env';
import type { GatewayError } from '../errors';
import { notOwner } from '../access/identity-refusals';
import { verifiedEmail } from '../identity/identity';
import { sessionRole } from '../identity/session-role';
import { signedIn } from '../identity/signed-in';
import { sessionStub } from '../routing/stub';

/** The owner's claims as a dashboard cookie would hold them, for the session's owner by identity; else null. Throws 403 `not_owner` for someone else signed in. */
export async function identityOwner(request: Request, env: Env, session: string): Promise<TokenClaims | null> {
  const cfg = config(env);
  const who = await signedIn(request, cfg);
  if (who === null) return null;
  const stub = sessionStub(env, session);
  const settings = await stub.sessionIdentity();
  if (sessionRole(who.identity, settings, cfg.identity) !== 'owner')
    throw notOwner(who.identity, "This session's dashboard");
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
