/**
 * The dashboard's page token: the owner token the page's script sends to the
 * owner API. It lives PAGE_TOKEN_TTL_SECONDS (never past its cookie's grant),
 * and so does every login it mints, so one read out of a page (a screenshot,
 * a saved copy, an extension) is soon worthless; the page renews it with its cookie through
 * `POST /s/<session>/page-token`, which only the page itself can call.
 */
import type { ApiOwnerToken } from '../../protocol';
import { grantOf } from '../access/owner-grant';
import { refusal } from '../access/refusals';
import { mintToken, type TokenClaims } from '../auth/tokens';
import { config } from '../config';
import type { Env } from '../env';

/** Lifetime of a page token: 5 minutes, in seconds. The page renews it a minute before it ends. */
export const PAGE_TOKEN_TTL_SECONDS = 5 * 60;

/** Header the page's script sends with a renewal: a custom header, so a cross-site request needs a preflight (never granted). */
export const PAGE_TOKEN_HEADER = 'x-porthole-page';

/**
 * A page token for the verified dashboard cookie `cookie`: PAGE_TOKEN_TTL_SECONDS at most, of the
 * cookie's epoch, and with a grant of its own that ends when it does (`until` = its expiry). So a
 * login or dashboard link it mints, and the cookie that becomes, ends with the page token too: one
 * read out of a page cannot be traded for a login of hours. (What it changes in the session,
 * visibility and share links, is the owner's act and stays, as if made with the dashboard.)
 */
export async function pageToken(env: Env, cookie: TokenClaims): Promise<ApiOwnerToken> {
  const grant = grantOf(cookie);
  const until = Math.min(Math.floor(Date.now() / 1000) + PAGE_TOKEN_TTL_SECONDS, grant.until);
  const token = await mintToken(config(env), 'owner', { session: cookie.session, expiresAt: until, ...grant, until });
  return { token, session: cookie.session, expiresAt: new Date(until * 1000).toISOString() };
}

/**
 * Whether a renewal comes from the dashboard page itself: it carries PAGE_TOKEN_HEADER (a form or
 * a no-cors fetch cannot), any `Origin` is the control plane's own, and a browser that sends
 * `Sec-Fetch-Site` says `same-origin`.
 */
export function pageTokenRequest(request: Request): boolean {
  if (request.headers.get(PAGE_TOKEN_HEADER) !== 'renew') return false;
  const origin = request.headers.get('origin');
  if (origin !== null && origin !== new URL(request.url).origin) return false;
  const site = request.headers.get('sec-fetch-site');
  return site === null || site === 'same-origin';
}

/** 403 `cross_site`: a renewal that is not the dashboard page's own. */
export const pageTokenRefused = () =>
  refusal(403, 'cross_site', 'Only the dashboard page itself may renew its token. Open the dashboard.');
