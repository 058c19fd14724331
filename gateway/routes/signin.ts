/**
 * Owner sign-in on the control plane, for every port of a session:
 *
 * - `GET /s/<session>/login?porthole_login=<port login token>[&path=/p?q]`:
 *   the one-time link `porthole login <port>` prints. It is spent (410
 *   `login_used` the second time), signs the browser in on the control plane
 *   (the dashboard cookie: HttpOnly, SameSite=Lax, Path=/s/<session>,
 *   `__Secure-` on https), and goes on to the port as `open` does.
 * - `GET /s/<session>/open?port=<n>[&path=/p?q]`: where a private or link
 *   port sends a browser's navigation that has no credential
 *   (access/signin.ts). With the control-plane cookie (from a login link or
 *   the dashboard link), a 303 to the port with a one-time login ticket (60 s)
 *   that access/exchange.ts turns into the port's own cookie (and, as a
 *   printed port link does, into the session's other non-public ports' too);
 *   without it, 401 `preview_private` saying how to sign in, never a redirect.
 *   A browser sent round more than MAX_ATTEMPTS times for one port within a
 *   minute (it does not keep the port's cookie) gets 403 `sign_in_loop`; a
 *   request with a Referer from outside the control plane and this session's
 *   previews (another session's page sending the owner in) gets 403
 *   `sign_in_refused`.
 *
 * `path` is a path and query on the port's host (default `/`); the URL is
 * built from the port and the path, never read from the query, and anything
 * that is not a path is refused (400 `bad_request`).
 */
import { Hono } from 'hono';
import { generateCookie } from 'hono/cookie';
import { COOKIE_TTL_SECONDS, cookieAge, dashboardCookie, dashboardCookieNames, readCookies } from '../access/cookies';
import { LOGIN_PARAM } from '../access/credentials';
import { redirect } from '../access/exchange';
import { grantOf, type OwnerGrant, requireEpoch } from '../access/owner-grant';
import {
  linkForOtherPort,
  linkInvalid,
  linkTooLarge,
  loginLinkExpired,
  loginUsed,
  signInBadRequest,
  signInFromElsewhere,
  signInLoop,
  signInNeeded,
} from '../access/refusals';
import { isPortPath, PROOF_PARAM, ticketUrl } from '../access/signin';
import { mintToken, type TokenClaims, TokenError, verifyToken } from '../auth/tokens';
import { config, type GatewayConfig } from '../config';
import type { AppEnv } from '../env';
import { notFound } from '../errors';
import { isPort, isSessionId } from '../../protocol/ids';
import { isSessionOrigin } from '../routing/host';
import { listenPort, portHost } from '../routing/label';
import { type Base, baseOf } from '../routing/route';
import { sessionStub } from '../routing/stub';
import { openByIdentity } from './open-identity';

/** A sign-in ticket is used by the very next request of the redirect: 60 s, in seconds. */
const TICKET_TTL_SECONDS = 60;

/**
 * Loop guard: `porthole_signin` (`__Secure-` on https), `<port>.<count>` of the hand-overs to one
 * port within ATTEMPT_WINDOW_SECONDS, on Path=/s/<session>/open. A browser that does not keep the
 * port's cookie would otherwise go round port → sign-in → port until it gives up.
 */
const ATTEMPT_COOKIE = 'porthole_signin';
const ATTEMPT_COOKIES: ReadonlySet<string> = new Set([`__Secure-${ATTEMPT_COOKIE}`, ATTEMPT_COOKIE]);
const ATTEMPT_WINDOW_SECONDS = 60;
/** Hand-overs to one port within the window before the sign-in stops and says why. */
const MAX_ATTEMPTS = 2;

/** Whether `referer` is the control plane itself or a preview of `session`. */
async function fromSession(referer: string, session: string, cfg: GatewayConfig, control: string): Promise<boolean> {
  try {
    if (new URL(referer).origin === control) return true;
  } catch {
    return false;
  }
  return isSessionOrigin(referer, session, cfg);
}

/** How many hand-overs to `port` this browser had within the window, before this one. */
function attempts(request: Request, port: number): number {
  const [p, n] = (readCookies(request, ATTEMPT_COOKIES).values[0] ?? '').split('.');
  return p === String(port) && /^\d{1,2}$/.test(n ?? '') ? Number(n) : 0;
}

function attemptCookie(scheme: string, session: string, value: string, maxAgeSeconds: number): string {
  return generateCookie(ATTEMPT_COOKIE, value, {
    maxAge: maxAgeSeconds,
    httpOnly: true,
    sameSite: 'Lax',
    path: `/s/${session}/open`,
    ...(scheme === 'https' ? { prefix: 'secure' } : {}),
  } as const);
}

const badPath = () => signInBadRequest('`path` must be a path on the preview, starting with "/".');

export const signin = new Hono<AppEnv>();

function sessionOf(id: string): string {
  if (!isSessionId(id)) throw notFound();
  return id;
}

/** Whether `proof` is a live `handover` token the port minted for exactly this session, port and path. */
async function handedOver(
  cfg: GatewayConfig,
  proof: string | null,
  session: string,
  port: number,
  path: string,
): Promise<boolean> {
  if (!proof) return false;
  try {
    const claims = await verifyToken(cfg, proof, ['handover']);
    return claims.session === session && claims.port === port && claims.ret === path;
  } catch (error) {
    if (error instanceof TokenError) return false;
    throw error;
  }
}

/**
 * The grant of a valid control-plane (dashboard) owner cookie for `session` of the current sign-out
 * `epoch` the request carries, or null.
 */
async function signedIn(
  request: Request,
  cfg: GatewayConfig,
  session: string,
  epoch: number,
): Promise<OwnerGrant | null> {
  // Every copy is tried (a page may plant others); one valid copy signs in.
  const scheme = new URL(request.url).protocol.slice(0, -1);
  for (const cookie of readCookies(request, dashboardCookieNames(scheme)).values) {
    try {
      const claims = await verifyToken(cfg, cookie, ['cookie']);
      if (claims.session === session && claims.port === undefined && grantOf(claims).epoch === epoch) {
        return grantOf(claims);
      }
    } catch (error) {
      if (!(error instanceof TokenError)) throw error;
    }
  }
  return null;
}

/**
 * The 303 to `path` on `port`'s host with a fresh one-time ticket of `grant` (`cookie`: a Set-Cookie to send along).
 * Throws 400 `bad_request` for a path that is not a path.
 */
async function toPort(
  cfg: GatewayConfig,
  base: Base,
  session: string,
  port: number,
  path: string,
  cookies: string | null | (string | null)[],
  grant: OwnerGrant | null,
  identity: { sid?: string; email?: string; until?: number } = {},
): Promise<Response> {
  const portOrigin = `${base.scheme}://${await portHost(cfg, session, port, listenPort(base.host))}`;
  const options = { session, port, jti: crypto.randomUUID(), ttlSeconds: TICKET_TTL_SECONDS, ...identity };
  // An owner's ticket carries the owner's grant; a member's (no grant) is only ever for this one port.
  const ticket = await (grant === null
    ? mintToken(cfg, 'memberLogin', options)
    : mintToken(cfg, 'login', { ...options, ...grant }));
  const location = ticketUrl(portOrigin, path, ticket);
  if (location === null) throw badPath();
  return redirect(location, cookies);
}

signin.get('/s/:session/open', async (c) => {
  const session = sessionOf(c.req.param('session'));
  const url = new URL(c.req.url);
  const port = Number(url.searchParams.get('port'));
  if (!/^[1-9]\d{0,4}$/.test(url.searchParams.get('port') ?? '') || !isPort(port)) {
    throw signInBadRequest('`port` must be a port number, 1 to 65535.');
  }
  const cfg = config(c.env);
  const path = url.searchParams.get('path') ?? '/';
  // Only the port's own hand-over (its proof binds session, port and path) is acted on: a page that
  // knows the session id cannot send the owner to a port and path of its choosing.
  if (!(await handedOver(cfg, url.searchParams.get(PROOF_PARAM), session, port, path))) throw signInFromElsewhere();
  const base = baseOf(url);
  if (!isPortPath(path)) throw badPath();
  const grant = await signedIn(c.req.raw, cfg, session, await sessionStub(c.env, session).ownerEpoch());
  const { oidc, access } = cfg.identity;
  if (grant === null && oidc === null && access === null) throw signInNeeded(port);
  // Legitimate hand-overs carry no Referer (the port's redirect is `no-referrer`; the dashboard's
  // links are `noreferrer`; so is the sign-in's way back): a page elsewhere that sends the owner here is refused.
  const referer = c.req.header('referer');
  if (referer !== undefined && !(await fromSession(referer, session, cfg, url.origin))) throw signInFromElsewhere();
  const byIdentity = grant === null ? await openByIdentity(c.req.raw, c.env, cfg, session, port, path) : null;
  if (grant === null && byIdentity === null) throw signInNeeded(port);
  if (byIdentity?.kind === 'sign_in') return redirect(byIdentity.location, null);
  const count = attempts(c.req.raw, port) + 1;
  if (count > MAX_ATTEMPTS) {
    const host = await portHost(cfg, session, port, listenPort(base.host));
    throw signInLoop(host, attemptCookie(base.scheme, session, '', 0));
  }
  const attempt = attemptCookie(base.scheme, session, `${port}.${count}`, ATTEMPT_WINDOW_SECONDS);
  if (byIdentity?.kind === 'ticket') {
    const { ticket } = byIdentity;
    const identity = {
      ...(ticket.sid ? { sid: ticket.sid } : {}),
      ...(ticket.email ? { email: ticket.email } : {}),
      ...(ticket.until !== undefined ? { until: ticket.until } : {}),
    };
    return toPort(cfg, base, session, port, path, [attempt, ticket.remember], ticket.grant, identity);
  }
  return toPort(cfg, base, session, port, path, attempt, grant);
});

signin.get('/s/:session/login', async (c) => {
  const session = sessionOf(c.req.param('session'));
  const url = new URL(c.req.url);
  const cfg = config(c.env);
  let claims: TokenClaims;
  try {
    claims = await verifyToken(cfg, url.searchParams.get(LOGIN_PARAM) ?? '', ['login']);
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    if (error.problem === 'expired') throw loginLinkExpired();
    if (error.problem === 'too_large') throw linkTooLarge();
    throw linkInvalid('login');
  }
  // A dashboard link (no port) has its own address; a link of another session is not this one's.
  if (claims.session !== session || claims.port === undefined || claims.jti === undefined) {
    throw linkForOtherPort();
  }
  const path = url.searchParams.get('path') ?? '/';
  // Checked before the link is spent, so a mistyped path does not cost the link.
  if (!isPortPath(path)) throw badPath();
  const stub = sessionStub(c.env, session);
  requireEpoch(claims, await stub.ownerEpoch(), 'preview');
  if (!(await stub.useLogin(claims.jti, claims.expiresAt))) throw loginUsed(claims.port);
  const grant = grantOf(claims);
  const token = await mintToken(cfg, 'cookie', { session, ttlSeconds: COOKIE_TTL_SECONDS, ...grant });
  const cookie = dashboardCookie(baseOf(url).scheme, session, token, cookieAge(grant));
  return toPort(cfg, baseOf(url), session, claims.port, path, cookie, grant);
});
