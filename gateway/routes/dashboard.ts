/**
 * The session dashboard on the bare domain, `/s/<session>`: the owner opens a
 * one-time link (`?porthole_login=`), which becomes an HttpOnly cookie scoped
 * to `/s/<session>`; the page, its panel and its live feed need that cookie.
 * Changes go through the owner JSON API with a short-lived owner token the
 * page carries (PAGE_TOKEN_TTL_SECONDS), so no cookie ever authorises a
 * change; the page renews it with its cookie (`POST /s/<session>/page-token`,
 * same-origin only). The cookie and every token it yields carry the
 * cookie's grant (access/owner-grant.ts): none outlives the session token,
 * and "sign out everywhere" ends them all.
 * The same cookie is the owner's sign-in for the session's ports: a private
 * port's browser navigation comes to `/s/<session>/open` and goes back with
 * a one-time ticket (routes/signin.ts), so the page's "open" links just work.
 */
import { Hono } from 'hono';
import { COOKIE_TTL_SECONDS, cookieAge, dashboardCookie, dashboardCookieNames, readCookies } from '../access/cookies';
import { grantOf, requireEpoch, signedOut } from '../access/owner-grant';
import { LOGIN_PARAM } from '../access/credentials';
import { redirect } from '../access/exchange';
import {
  dashboardCookieForOther,
  dashboardLinkExpired,
  dashboardLinkForOther,
  dashboardLinkInvalid,
  dashboardLinkUsed,
  dashboardLoginNeeded,
} from '../access/refusals';
import { mintToken, type TokenClaims, TokenError, verifyToken } from '../auth/tokens';
import { config } from '../config';
import type { AppEnv, Env } from '../env';
import { notFound } from '../errors';
import DASHBOARD_CSS from '../pages/assets/dashboard.css';
import DASHBOARD_JS from '../pages/assets/dashboard.js';
import FORMAT_JS from '../pages/assets/dashboard-format.js';
import LINKS_JS from '../pages/assets/dashboard-links.js';
import PORTS_JS from '../pages/assets/dashboard-ports.js';
import REQUEST_DETAIL_JS from '../pages/assets/dashboard-request-detail.js';
import REQUESTS_JS from '../pages/assets/dashboard-requests.js';
import { type DashboardState, dashboardPage, panel } from '../pages/dashboard-page';
import { isSessionId } from '../../protocol/ids';
import { baseOf } from '../routing/route';
import { sessionStub } from '../routing/stub';
import { dashboardSignIn, identityOwner } from './dashboard-identity';
import { pageToken, pageTokenRefused, pageTokenRequest } from './page-token';
import { signin } from './signin';

/** Headers of every dashboard answer: nothing cached, nothing framed, only our own script. */
const PAGE_HEADERS = {
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
};

export const dashboard = new Hono<AppEnv>();

// Sign-in for the session's ports (`/s/<session>/login`, `/s/<session>/open`), under the dashboard cookie's path.
dashboard.route('/', signin);

/** The page's scripts (run in this order: dashboard-page.ts) and stylesheet, by file name. */
const ASSETS: Record<string, [body: string, type: string]> = {
  'dashboard-format.js': [FORMAT_JS, 'text/javascript'],
  'dashboard.js': [DASHBOARD_JS, 'text/javascript'],
  'dashboard-links.js': [LINKS_JS, 'text/javascript'],
  'dashboard-ports.js': [PORTS_JS, 'text/javascript'],
  'dashboard-request-detail.js': [REQUEST_DETAIL_JS, 'text/javascript'],
  'dashboard-requests.js': [REQUESTS_JS, 'text/javascript'],
  'dashboard.css': [DASHBOARD_CSS, 'text/css'],
};

dashboard.get('/assets/:file', (c) => {
  const asset = Object.hasOwn(ASSETS, c.req.param('file')) ? ASSETS[c.req.param('file')] : undefined;
  if (!asset) throw notFound();
  return c.body(asset[0], 200, { 'content-type': `${asset[1]}; charset=utf-8`, 'cache-control': 'no-cache' });
});

function sessionOf(id: string): string {
  if (!isSessionId(id)) throw notFound();
  return id;
}

/**
 * The owner's dashboard cookie for this session, or a 401/403 saying how to get one. Every copy
 * (a page may plant some, cookies.ts) is tried; the first copy's refusal is thrown when none is good.
 */
async function owner(request: Request, env: Env, session: string): Promise<TokenClaims> {
  const copies = readCookies(request, dashboardCookieNames(baseOf(new URL(request.url)).scheme)).values;
  if (copies.length === 0) {
    // No dashboard link was opened here: the owner by identity (docs/identity.md), or sign in first.
    const byIdentity = await identityOwner(request, env, session);
    if (byIdentity !== null) return byIdentity;
    throw dashboardSignIn(request, env, session) ?? dashboardLoginNeeded('none');
  }
  // Asked of the Session object only once a cookie is good: junk cookies never wake it.
  let epoch: Promise<number> | null = null;
  let refusal: unknown = null;
  for (const cookie of copies) {
    try {
      const claims = await dashboardClaims(env, session, cookie);
      epoch ??= sessionStub(env, session).ownerEpoch();
      requireEpoch(claims, await epoch, 'dashboard');
      return claims;
    } catch (error) {
      refusal ??= error;
    }
  }
  // A stale dashboard cookie does not hide a sign-in that makes this browser the owner.
  return (await identityOwner(request, env, session).catch(() => null)) ?? Promise.reject(refusal);
}

async function dashboardClaims(env: Env, session: string, cookie: string): Promise<TokenClaims> {
  let claims: TokenClaims;
  try {
    claims = await verifyToken(config(env), cookie, ['cookie']);
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    throw dashboardLoginNeeded(error.problem === 'expired' ? 'expired' : 'invalid');
  }
  // A cookie for a port (it has one) or for another session is not this dashboard's.
  if (claims.session !== session || claims.port !== undefined) throw dashboardCookieForOther();
  return claims;
}

async function state(env: Env, url: URL, session: string): Promise<DashboardState> {
  const base = baseOf(url);
  const stub = sessionStub(env, session);
  const [status, ports, links] = await Promise.all([stub.status(), stub.listPorts(base), stub.listLinks(base)]);
  return { session, gateway: url.origin, status, ports, links };
}

/** The one-time link: check and spend it, set the cookie, and go to the page without the token. */
async function login(request: Request, env: Env, session: string, token: string): Promise<Response> {
  const cfg = config(env);
  let claims: TokenClaims;
  try {
    claims = await verifyToken(cfg, token, ['login']);
  } catch (error) {
    if (!(error instanceof TokenError)) throw error;
    throw error.problem === 'expired' ? dashboardLinkExpired() : dashboardLinkInvalid();
  }
  if (claims.session !== session || claims.port !== undefined || claims.jti === undefined) {
    throw dashboardLinkForOther();
  }
  const stub = sessionStub(env, session);
  requireEpoch(claims, await stub.ownerEpoch(), 'dashboard');
  if (!(await stub.useLogin(claims.jti, claims.expiresAt))) throw dashboardLinkUsed();
  const url = new URL(request.url);
  const grant = grantOf(claims);
  const cookie = await mintToken(cfg, 'cookie', { session, ttlSeconds: COOKIE_TTL_SECONDS, ...grant });
  const set = dashboardCookie(baseOf(url).scheme, session, cookie, cookieAge(grant));
  return redirect(`${url.origin}/s/${session}`, set);
}

dashboard.get('/s/:session', async (c) => {
  const session = sessionOf(c.req.param('session'));
  const token = new URL(c.req.url).searchParams.get(LOGIN_PARAM);
  if (token !== null) return login(c.req.raw, c.env, session, token);
  const claims = await owner(c.req.raw, c.env, session);
  // Opened by identity (dashboard-identity.ts): the page says who, with the way to sign out.
  const who = claims.email === undefined ? {} : { signedInAs: claims.email };
  const shown = { ...(await state(c.env, new URL(c.req.url), session)), ...who };
  const page = await dashboardPage(shown, await pageToken(c.env, claims));
  return c.html(page, 200, PAGE_HEADERS);
});

/**
 * A fresh page token for the page's script, for the cookie it holds: `{token, expiresAt}`. Only the
 * page itself may ask (pageTokenRequest): another site's page cannot make the browser mint one.
 */
dashboard.post('/s/:session/page-token', async (c) => {
  const session = sessionOf(c.req.param('session'));
  if (!pageTokenRequest(c.req.raw)) throw pageTokenRefused();
  const claims = await owner(c.req.raw, c.env, session);
  return c.json(await pageToken(c.env, claims), 200, { 'cache-control': 'no-store' });
});

dashboard.get('/s/:session/panel', async (c) => {
  const session = sessionOf(c.req.param('session'));
  await owner(c.req.raw, c.env, session);
  return c.html(await panel(await state(c.env, new URL(c.req.url), session)), 200, PAGE_HEADERS);
});

dashboard.get('/s/:session/events', async (c) => {
  const session = sessionOf(c.req.param('session'));
  const claims = await owner(c.req.raw, c.env, session);
  // The feed ends when the cookie does (its expiry is never past its grant's `until`).
  const feed = await sessionStub(c.env, session).feed({ until: claims.expiresAt, epoch: grantOf(claims).epoch });
  if (!feed) throw signedOut('dashboard');
  return new Response(feed, {
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
  });
});
