/**
 * Who may open a port preview, decided in the Session object because the
 * port's visibility and the revoked links live there.
 *
 * Credentials a viewer can present, and nothing else:
 * - `X-Porthole-Token: <owner token>` (tools and agents);
 * - the Porthole cookie on this port's host: an owner cookie token or a
 *   reviewer's share token (browsers);
 * - `?porthole_login=` / `?porthole_share=` in the URL, which are exchanged
 *   for the cookie and a redirect to the same URL without them.
 * A request that carries any of them never reaches the origin with them:
 * the URL forms are answered here, the header and cookie are stripped.
 */
import type { Visibility } from '../../protocol';
import { mintToken, type TokenClaims, TokenError, verifyToken } from '../auth/tokens';
import type { Env } from '../env';
import { GatewayError } from '../errors';
import { classifyHost } from '../routing/host';
import { portHost, verifyLabel } from '../routing/label';
import type { ViewerRoute } from './route';
import type { ShareStore } from './shares';

export const TOKEN_HEADER = 'x-porthole-token';
export const LOGIN_PARAM = 'porthole_login';
export const SHARE_PARAM = 'porthole_share';
/** On https the `__Host-` prefix pins the cookie to exactly this host, Secure, Path=/. */
const COOKIE_HTTPS = '__Host-porthole';
const COOKIE_HTTP = 'porthole';
export const PORTHOLE_COOKIES: ReadonlySet<string> = new Set([COOKIE_HTTPS, COOKIE_HTTP]);

/** How long the owner's cookie on a port host (or the dashboard) lasts. */
export const COOKIE_TTL_SECONDS = 12 * 3600;
/** A hop of the login chain (one port's cookie after another) is used within seconds. */
const CHAIN_HOP_TTL_SECONDS = 60;
/** At most this many other ports are logged in by one login link. */
const MAX_CHAIN = 16;

export type Viewer = { kind: 'owner' } | { kind: 'reviewer'; link: string } | { kind: 'anyone' };

// ── cookies ──────────────────────────────────────────────────────────────

function cookiePairs(request: Request): { name: string; value: string; raw: string }[] {
  const header = request.headers.get('cookie');
  if (!header) return [];
  return header
    .split(';')
    .map((raw) => raw.trim())
    .filter(Boolean)
    .map((raw) => {
      const eq = raw.indexOf('=');
      return eq < 0
        ? { name: '', value: raw, raw }
        : { name: raw.slice(0, eq).trim(), value: raw.slice(eq + 1).trim(), raw };
    });
}

/** The value of the first cookie with one of `names`, if the request carries one. */
export function readCookie(request: Request, names: ReadonlySet<string> = PORTHOLE_COOKIES): string | null {
  const found = cookiePairs(request).find((c) => names.has(c.name));
  return found ? found.value : null;
}

/** The Cookie header without Porthole's cookies (null when nothing else is left). */
export function appCookies(request: Request): string | null {
  const kept = cookiePairs(request).filter((c) => !PORTHOLE_COOKIES.has(c.name));
  return kept.length ? kept.map((c) => c.raw).join('; ') : null;
}

function setCookie(scheme: string, value: string, maxAge: number): string {
  return cookieHeader(scheme === 'https' ? COOKIE_HTTPS : COOKIE_HTTP, value, maxAge, '/', scheme === 'https');
}

/** A Set-Cookie value: always HttpOnly and SameSite=Lax, Secure on https. */
export function cookieHeader(name: string, value: string, maxAge: number, path: string, secure: boolean): string {
  return `${name}=${value}; Path=${path}; Max-Age=${Math.max(0, Math.floor(maxAge))}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

function clearCookie(scheme: string): string {
  return setCookie(scheme, '', 0);
}

// ── URLs ─────────────────────────────────────────────────────────────────

/** The URL without Porthole's query parameters; the rest of the query keeps its exact bytes. */
export function withoutCredentials(url: URL): URL {
  const clean = new URL(url);
  const kept = url.search
    .slice(1)
    .split('&')
    .filter((part) => {
      if (!part) return false;
      const name = part.split('=', 1)[0] as string;
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // Not valid percent-encoding: not one of ours either.
      }
      return decoded !== LOGIN_PARAM && decoded !== SHARE_PARAM;
    });
  clean.search = kept.length ? `?${kept.join('&')}` : '';
  return clean;
}

export function hasUrlCredential(url: URL): boolean {
  return url.searchParams.has(LOGIN_PARAM) || url.searchParams.has(SHARE_PARAM);
}

/** The domain (with port) a preview host lives under: `8000-…-….localhost:8787` → `localhost:8787`. */
function domainOf(route: ViewerRoute): string {
  return route.host.slice(route.host.indexOf('.') + 1);
}

/** True if `origin` (an Origin header or URL) is a genuine preview host of this session. */
export async function isSessionOrigin(env: Env, origin: string | null, session: string): Promise<boolean> {
  if (!origin) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  const target = classifyHost(url, env);
  return target.kind === 'preview' && target.label.session === session && (await verifyLabel(env, target.label));
}

// ── refusals ─────────────────────────────────────────────────────────────

export function refusal(
  status: number,
  code: string,
  message: string,
  options: { scheme?: string; clear?: boolean } = {},
): GatewayError {
  const headers: Record<string, string> = { 'referrer-policy': 'no-referrer' };
  if (status === 401) headers['www-authenticate'] = 'Porthole realm="porthole"';
  if (options.clear && options.scheme) headers['set-cookie'] = clearCookie(options.scheme);
  return new GatewayError(status, code, message, headers);
}

const loginHint = (port: number) =>
  `If it is yours, run \`porthole login ${port}\` in the session and open the link it prints.`;

export function privateRefusal(port: number): GatewayError {
  return refusal(401, 'preview_private', `This preview is private. ${loginHint(port)}`);
}

export function linkRequired(port: number): GatewayError {
  return refusal(
    401,
    'link_required',
    `This preview is shared by link only: open the link you were given. ${loginHint(port)}`,
  );
}

export function reviewerOnPrivate(scheme: string): GatewayError {
  return refusal(403, 'preview_private', 'This preview is private now: its owner has turned share links off.', {
    scheme,
    clear: true,
  });
}

function tokenRefusal(error: TokenError, what: 'token' | 'cookie', port: number, scheme: string): GatewayError {
  const clear = what === 'cookie';
  if (error.claimedKind === 'share' && error.problem === 'expired') {
    return refusal(410, 'link_expired', 'This link has expired. Ask the person who shared it for a new one.', {
      scheme,
      clear,
    });
  }
  if (error.problem === 'expired') {
    const message =
      what === 'cookie'
        ? `Your login to this preview has expired. ${loginHint(port)}`
        : 'The owner token (X-Porthole-Token) has expired. Get a new one with `porthole token`.';
    return refusal(401, 'login_expired', message, { scheme, clear });
  }
  if (error.problem === 'too_large') {
    return refusal(400, 'token_too_large', 'The credential is too large to be a Porthole token.', { scheme, clear });
  }
  const message =
    what === 'cookie'
      ? `The Porthole cookie is not valid for this preview. ${loginHint(port)}`
      : 'The X-Porthole-Token header does not hold a valid owner token for this gateway.';
  return refusal(401, 'token_invalid', message, { scheme, clear });
}

function linkRefusal(state: 'revoked' | 'unknown', scheme: string, clear: boolean): GatewayError {
  return state === 'revoked'
    ? refusal(410, 'link_revoked', 'This link was revoked by the owner of the preview.', { scheme, clear })
    : refusal(403, 'link_unknown', 'This link is not one this session issued.', { scheme, clear });
}

// ── who is asking ────────────────────────────────────────────────────────

/**
 * The viewer a request's header or cookie proves. Throws a refusal for a
 * credential that is presented but not good (expired, forged, revoked, or
 * for another port or session): a bad credential is never read as "anyone".
 */
export async function identify(env: Env, shares: ShareStore, request: Request, route: ViewerRoute): Promise<Viewer> {
  const header = request.headers.get(TOKEN_HEADER);
  if (header !== null) {
    let claims: TokenClaims;
    try {
      claims = await verifyToken(env, header.trim(), ['owner']);
    } catch (error) {
      if (error instanceof TokenError) throw tokenRefusal(error, 'token', route.port, route.scheme);
      throw error;
    }
    if (claims.session !== route.session) {
      throw refusal(403, 'wrong_session', 'This owner token belongs to another session.');
    }
    return { kind: 'owner' };
  }
  const cookie = readCookie(request);
  if (cookie === null) return { kind: 'anyone' };
  let claims: TokenClaims;
  try {
    claims = await verifyToken(env, cookie, ['cookie', 'share']);
  } catch (error) {
    if (error instanceof TokenError) throw tokenRefusal(error, 'cookie', route.port, route.scheme);
    throw error;
  }
  if (claims.session !== route.session || claims.port !== route.port) {
    throw refusal(403, 'wrong_port', `This cookie was issued for another preview. ${loginHint(route.port)}`, {
      scheme: route.scheme,
      clear: true,
    });
  }
  if (claims.kind === 'cookie') return { kind: 'owner' };
  const link = await shares.link(claims.jti ?? '');
  if (link.state !== 'live') throw linkRefusal(link.state, route.scheme, true);
  return { kind: 'reviewer', link: link.link.id };
}

/** Whether `viewer` may open a port of this visibility. */
export function allowed(visibility: Visibility, viewer: Viewer): boolean {
  if (visibility === 'public' || viewer.kind === 'owner') return true;
  return visibility === 'link' && viewer.kind === 'reviewer';
}

/** A CORS preflight: OPTIONS with Origin and Access-Control-Request-Method (browsers send no cookie with it). */
export function isPreflight(request: Request): boolean {
  return (
    request.method === 'OPTIONS' &&
    request.headers.has('origin') &&
    request.headers.has('access-control-request-method')
  );
}

// ── login and share links ────────────────────────────────────────────────

export interface ExchangeContext {
  env: Env;
  shares: ShareStore;
  route: ViewerRoute;
  visibility: Visibility;
  /** Other ports of the session a login should also cover (non-public ones). */
  chain: () => Promise<number[]>;
}

export function redirect(location: string, cookie: string | null): Response {
  const headers = new Headers({
    location,
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'content-type': 'text/plain; charset=utf-8',
  });
  if (cookie) headers.append('set-cookie', cookie);
  return new Response('Redirecting…\n', { status: 303, headers });
}

/**
 * A request with `?porthole_login=` or `?porthole_share=`: check the token,
 * set the cookie, and send the browser on without the token in its URL (so
 * it is in neither history nor a Referer). A login link also logs in the
 * session's other non-public ports, one redirect hop each, so a front end on
 * one port can call an API on another with the owner's cookies.
 */
export async function exchange(ctx: ExchangeContext, request: Request): Promise<Response> {
  const { route } = ctx;
  const clean = withoutCredentials(route.url);
  try {
    const login = route.url.searchParams.get(LOGIN_PARAM);
    if (login !== null) return await exchangeLogin(ctx, login, clean);
    return await exchangeShare(ctx, route.url.searchParams.get(SHARE_PARAM) ?? '', clean);
  } catch (error) {
    // On a public port a stale link costs nothing: go on to the page without it.
    if (error instanceof GatewayError && ctx.visibility === 'public' && request.method === 'GET') {
      return redirect(clean.toString(), null);
    }
    throw error;
  }
}

async function claimsOf(ctx: ExchangeContext, token: string, kind: 'login' | 'share'): Promise<TokenClaims> {
  const { route } = ctx;
  let claims: TokenClaims;
  try {
    claims = await verifyToken(ctx.env, token, [kind]);
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    if (error.problem === 'expired') {
      throw kind === 'login'
        ? refusal(410, 'login_expired', `This login link has expired. ${loginHint(route.port)}`)
        : refusal(410, 'link_expired', 'This link has expired. Ask the person who shared it for a new one.');
    }
    if (error.problem === 'too_large') {
      throw refusal(400, 'token_too_large', 'The link holds a credential too large to be a Porthole token.');
    }
    throw refusal(401, kind === 'login' ? 'login_invalid' : 'link_invalid', 'This link is not valid.');
  }
  if (claims.session !== route.session || claims.port !== route.port) {
    throw refusal(403, 'wrong_port', 'This link was issued for another preview.');
  }
  if (claims.jti === undefined) throw refusal(401, 'link_invalid', 'This link is not valid.');
  return claims;
}

async function exchangeLogin(ctx: ExchangeContext, token: string, clean: URL): Promise<Response> {
  const { env, route } = ctx;
  const claims = await claimsOf(ctx, token, 'login');
  if (!(await ctx.shares.useLogin(claims.jti as string, claims.expiresAt))) {
    throw refusal(410, 'login_used', `This login link has already been used. ${loginHint(route.port)}`);
  }
  const cookieToken = await mintToken(env, 'cookie', {
    session: route.session,
    port: route.port,
    ttlSeconds: COOKIE_TTL_SECONDS,
  });
  const cookie = setCookie(route.scheme, cookieToken, COOKIE_TTL_SECONDS);
  // The first hop (a printed link) starts the chain; later hops carry theirs, signed.
  const first = claims.ret === undefined;
  const next = first ? (await ctx.chain()).filter((p) => p !== route.port).slice(0, MAX_CHAIN) : (claims.next ?? []);
  const ret = first ? clean.toString() : await safeReturn(env, claims.ret as string, route.session, clean);
  const [hop, ...rest] = next;
  if (hop === undefined) return redirect(ret, cookie);
  const ticket = await mintToken(env, 'login', {
    session: route.session,
    port: hop,
    jti: crypto.randomUUID(),
    ttlSeconds: CHAIN_HOP_TTL_SECONDS,
    next: rest,
    ret,
  });
  const host = await portHost(env, route.session, hop, domainOf(route));
  return redirect(`${route.scheme}://${host}/?${LOGIN_PARAM}=${ticket}`, cookie);
}

/** Where a login chain ends: only ever a preview of this session (else this port's page). */
async function safeReturn(env: Env, ret: string, session: string, fallback: URL): Promise<string> {
  return (await isSessionOrigin(env, ret, session)) ? new URL(ret).toString() : fallback.toString();
}

async function exchangeShare(ctx: ExchangeContext, token: string, clean: URL): Promise<Response> {
  const { route } = ctx;
  const claims = await claimsOf(ctx, token, 'share');
  const link = await ctx.shares.link(claims.jti as string);
  if (link.state !== 'live') throw linkRefusal(link.state, route.scheme, false);
  if (ctx.visibility === 'private') throw reviewerOnPrivate(route.scheme);
  const cookie = setCookie(route.scheme, token, claims.expiresAt - Math.floor(Date.now() / 1000));
  return redirect(clean.toString(), cookie);
}
