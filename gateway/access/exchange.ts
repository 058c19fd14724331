/**
 * Link exchange: a request with `?porthole_login=` or `?porthole_share=` is
 * answered by the gateway itself. The token is checked, the cookie set, and
 * the browser sent on without the token in its URL (so it is in neither
 * history nor a Referer). A login link also logs in the session's other
 * non-public ports, one redirect hop each (a short-lived, signed, one-time
 * ticket per hop), so a front end on one port can call an API on another.
 * Printed login links go to the control plane first (routes/signin.ts),
 * which signs the browser in there and comes here with such a ticket; a
 * browser sent to sign in (signin.ts) comes back the same way.
 */
import type { Visibility } from '../../protocol';
import { mintToken, type TokenClaims, TokenError, verifyToken } from '../auth/tokens';
import type { GatewayConfig } from '../config';
import { GatewayError } from '../errors';
import { listenPort, portHost } from '../routing/label';
import { isSessionOrigin } from '../routing/host';
import type { ViewerRoute } from '../routing/route';
import type { AccessContext } from './admission';
import { COOKIE_TTL_SECONDS, cookieAge, portCookie } from './cookies';
import { LOGIN_PARAM, SHARE_PARAM, withoutCredentials } from './credentials';
import { requireSignedIn } from './identity-viewer';
import { grantOf, requireEpoch } from './owner-grant';
import {
  linkExpired,
  linkForOtherPort,
  linkInvalid,
  linkNotLive,
  linkTooLarge,
  loginExpired,
  loginUsed,
  reviewerOnPrivate,
} from './refusals';

/** A hop of the login chain (one port's cookie after another) is used within seconds. */
const CHAIN_HOP_TTL_SECONDS = 60;
/** At most this many other ports are logged in by one login link. */
const MAX_CHAIN = 16;

/** A 303 to `location` (no-store, no Referer), setting `cookie` (or each of several) if given. */
export function redirect(location: string, cookie: string | null | (string | null)[]): Response {
  const headers = new Headers({
    location,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'content-type': 'text/plain; charset=utf-8',
  });
  for (const one of Array.isArray(cookie) ? cookie : [cookie]) if (one) headers.append('set-cookie', one);
  return new Response('Redirecting…\n', { status: 303, headers });
}

/**
 * Exchange the URL's login or share token for a cookie and a redirect.
 * Throws a refusal for a bad token, except on a public port, where a stale
 * link (on a GET) just redirects to the page without it. `owner`: the
 * browser is already in as the owner, so a share link or a member's ticket never replaces that.
 */
export async function exchange(
  ctx: AccessContext,
  request: Request,
  route: ViewerRoute,
  visibility: Visibility,
  owner = false,
): Promise<Response> {
  const clean = withoutCredentials(route.url);
  try {
    const login = route.url.searchParams.get(LOGIN_PARAM);
    if (login !== null) return await exchangeLogin(ctx, route, login, clean, owner);
    return await exchangeShare(ctx, route, visibility, route.url.searchParams.get(SHARE_PARAM) ?? '', clean, owner);
  } catch (error) {
    if (error instanceof GatewayError && visibility === 'public' && request.method === 'GET') {
      return redirect(clean.toString(), null);
    }
    throw error;
  }
}

/** The claims of a login or share token for this very port, with a `jti`; or the refusal. */
async function linkClaims(
  config: GatewayConfig,
  route: ViewerRoute,
  token: string,
  kind: 'login' | 'share',
): Promise<TokenClaims & { jti: string }> {
  let claims: TokenClaims;
  try {
    // A login ticket is the owner's, or an org member's (routes/signin.ts): both one-time, for this port.
    claims = await verifyToken(config, token, kind === 'login' ? ['login', 'memberLogin'] : ['share']);
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    if (error.problem === 'expired') throw kind === 'login' ? loginExpired(route.port) : linkExpired();
    if (error.problem === 'too_large') throw linkTooLarge();
    throw linkInvalid(kind);
  }
  if (claims.session !== route.session || claims.port !== route.port) throw linkForOtherPort();
  if (claims.jti === undefined) throw linkInvalid('share');
  return claims as TokenClaims & { jti: string };
}

async function exchangeLogin(
  ctx: AccessContext,
  route: ViewerRoute,
  token: string,
  clean: URL,
  owner: boolean,
): Promise<Response> {
  const { config } = ctx;
  const claims = await linkClaims(config, route, token, 'login');
  if (claims.kind === 'memberLogin') {
    // A browser in as the owner keeps that: a member's ticket another page sent it to (someone
    // else's sign-in) must not replace the owner's cookie (login fixation), as a share link never does.
    if (owner) return redirect(clean.toString(), null);
    return exchangeMemberLogin(ctx, route, claims, clean);
  }
  requireEpoch(claims, await ctx.ownerEpoch(), 'preview');
  await requireSignedIn(ctx, claims);
  const grant = grantOf(claims);
  if (!(await ctx.shares.useLogin(claims.jti, claims.expiresAt))) throw loginUsed(route.port);
  // A sign-in's ticket (routes/signin.ts) passes its sid and email on, so signing out ends the cookie.
  const identity = { ...(claims.sid ? { sid: claims.sid } : {}), ...(claims.email ? { email: claims.email } : {}) };
  const cookieToken = await mintToken(config, 'cookie', {
    session: route.session,
    port: route.port,
    ttlSeconds: COOKIE_TTL_SECONDS,
    ...grant,
    ...identity,
  });
  const cookie = portCookie(route.scheme, cookieToken, cookieAge(grant));
  // The first hop (a printed link) starts the chain; later hops carry theirs, signed.
  const first = claims.ret === undefined;
  const next = first
    ? (await ctx.loginChain()).filter((p) => p !== route.port).slice(0, MAX_CHAIN)
    : (claims.next ?? []);
  const ret = first ? clean.toString() : await safeReturn(config, claims.ret as string, route.session, clean);
  const [hop, ...rest] = next;
  if (hop === undefined) return redirect(ret, cookie);
  const ticket = await mintToken(config, 'login', {
    session: route.session,
    port: hop,
    jti: crypto.randomUUID(),
    ttlSeconds: CHAIN_HOP_TTL_SECONDS,
    next: rest,
    ret,
    ...grant,
    ...identity,
  });
  const host = await portHost(config, route.session, hop, listenPort(route.host));
  return redirect(`${route.scheme}://${host}/?${LOGIN_PARAM}=${ticket}`, cookie);
}

/**
 * An org member's one-time ticket (routes/signin.ts) for this port: spent, and exchanged for a
 * `member` cookie of the same sign-in (sid, email) for COOKIE_TTL_SECONDS, never past the sign-in's
 * end (the ticket's `until`); one port, no chain.
 */
async function exchangeMemberLogin(
  ctx: AccessContext,
  route: ViewerRoute,
  claims: TokenClaims & { jti: string },
  clean: URL,
): Promise<Response> {
  await requireSignedIn(ctx, claims);
  if (!(await ctx.shares.useLogin(claims.jti, claims.expiresAt))) throw loginUsed(route.port);
  const token = await mintToken(ctx.config, 'member', {
    session: route.session,
    port: route.port,
    ttlSeconds: COOKIE_TTL_SECONDS,
    ...(claims.sid ? { sid: claims.sid } : {}),
    ...(claims.email ? { email: claims.email } : {}),
    ...(claims.until !== undefined ? { until: claims.until } : {}),
  });
  // No longer than the sign-in it came from (the ticket's `until`).
  const age = claims.until === undefined ? COOKIE_TTL_SECONDS : cookieAge({ until: claims.until });
  return redirect(clean.toString(), portCookie(route.scheme, token, age));
}

/** Where a login chain ends: only ever a preview of this session (else this port's page). */
async function safeReturn(config: GatewayConfig, ret: string, session: string, fallback: URL): Promise<string> {
  return (await isSessionOrigin(ret, session, config)) ? new URL(ret).toString() : fallback.toString();
}

async function exchangeShare(
  ctx: AccessContext,
  route: ViewerRoute,
  visibility: Visibility,
  token: string,
  clean: URL,
  owner: boolean,
): Promise<Response> {
  if (owner) return redirect(clean.toString(), null);
  const claims = await linkClaims(ctx.config, route, token, 'share');
  const link = await ctx.shares.link(claims.jti);
  if (link.state !== 'live') throw linkNotLive(link.state, { scheme: route.scheme, clear: false });
  // A link presented is not the cookie held: a stale link never clears what the browser has.
  if (visibility === 'private') throw reviewerOnPrivate(route.port, route.scheme, false);
  const cookie = portCookie(route.scheme, token, claims.expiresAt - Math.floor(Date.now() / 1000));
  return redirect(clean.toString(), cookie);
}
