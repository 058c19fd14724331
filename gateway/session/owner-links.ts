/**
 * The one-time owner links the Session object issues on the owner API's
 * behalf: a port's login link and the dashboard link. Each is a `login` token
 * carrying the caller's grant (access/owner-grant.ts), so neither it nor the
 * cookie it becomes outlives the session token or a "sign out everywhere".
 */
import type { ApiDashboardLink, ApiLogin } from '../../protocol';
import { LOGIN_PARAM } from '../access/credentials';
import type { OwnerGrant } from '../access/owner-grant';
import { mintToken } from '../auth/tokens';
import type { GatewayConfig } from '../config';
import type { Base } from '../routing/route';

async function loginToken(
  config: GatewayConfig,
  session: string,
  ttlSeconds: number,
  grant: OwnerGrant,
  port?: number,
): Promise<{ token: string; expiresAt: string }> {
  const token = await mintToken(config, 'login', {
    session,
    jti: crypto.randomUUID(),
    ttlSeconds,
    ...grant,
    ...(port === undefined ? {} : { port }),
  });
  // The expiry as minted (capped at the grant's `until`), not as asked.
  const exp = Math.min(Math.floor(Date.now() / 1000) + Math.max(1, ttlSeconds), grant.until);
  return { token, expiresAt: new Date(exp * 1000).toISOString() };
}

/**
 * A one-time owner login link for `port`, valid `ttlSeconds` (at most until the grant ends): on the
 * control plane (`/s/<session>/login`, routes/signin.ts), so it signs the browser in for the whole session.
 */
export async function loginLink(
  config: GatewayConfig,
  session: string,
  base: Base,
  port: number,
  ttlSeconds: number,
  grant: OwnerGrant,
): Promise<ApiLogin> {
  const { token, expiresAt } = await loginToken(config, session, ttlSeconds, grant, port);
  return { url: `${base.scheme}://${base.host}/s/${session}/login?${LOGIN_PARAM}=${token}`, port, expiresAt };
}

/** A one-time link to the session's dashboard (a login token with no port), valid `ttlSeconds` (capped likewise). */
export async function dashboardLink(
  config: GatewayConfig,
  session: string,
  base: Base,
  ttlSeconds: number,
  grant: OwnerGrant,
): Promise<ApiDashboardLink> {
  const { token, expiresAt } = await loginToken(config, session, ttlSeconds, grant);
  return { url: `${base.scheme}://${base.host}/s/${session}?${LOGIN_PARAM}=${token}`, expiresAt };
}
