/**
 * Every refusal of a credential, in one place: status, stable code and the
 * words the viewer reads (the README's refusal table lists them). A refused
 * cookie is cleared in the same answer, so a browser does not keep presenting it.
 */
import type { TokenError, TokenKind } from '../auth/tokens';
import { GatewayError } from '../errors';
import { clearPortCookie } from './cookies';

/** How a refused port cookie is cleared: by the scheme that names it. */
export interface ClearCookie {
  scheme: string;
  clear: boolean;
}

/** A refusal: `Referrer-Policy: no-referrer`, `WWW-Authenticate` on 401, and the cookie cleared when asked. */
export function refusal(status: number, code: string, message: string, cookie?: ClearCookie): GatewayError {
  const headers: Record<string, string> = { 'referrer-policy': 'no-referrer' };
  if (status === 401) headers['www-authenticate'] = 'Porthole realm="porthole"';
  if (cookie?.clear) headers['set-cookie'] = clearPortCookie(cookie.scheme);
  return new GatewayError(status, code, message, { headers });
}

const loginHint = (port: number) =>
  `If it is yours, run \`porthole login ${port}\` in the session and open the link it prints.`;
const dashboardHint = 'Run `porthole dashboard` in the session for a new link.';

// ── a port preview, by visibility ─────────────────────────────────────────

export const privatePreview = (port: number) =>
  refusal(401, 'preview_private', `This preview is private. ${loginHint(port)}`);

export const linkRequired = (port: number) =>
  refusal(
    401,
    'link_required',
    `This preview is shared by link only: open the link you were given. ${loginHint(port)}`,
  );

/**
 * A reviewer's link (or cookie) on a port that is private: a link opens only a `link` or `public`
 * port, whether the port was never shared or its owner made it private again.
 * `clear`: drop the viewer's port cookie too (a reviewer's cookie; never when a link is merely presented).
 */
export const reviewerOnPrivate = (port: number, scheme: string, clear = true) =>
  refusal(
    403,
    'preview_private',
    'This preview is private, and share links open only ports set to link or public. ' +
      `Ask whoever shared it to set port ${port} to link (\`porthole share ${port} link\` in the session, ` +
      'or "Who may open it" in the dashboard).',
    { scheme, clear },
  );

// ── a presented header or cookie ──────────────────────────────────────────

/** A token in `X-Porthole-Token` (what: 'token') or the port cookie (what: 'cookie') that failed verification. */
export function tokenRefused(error: TokenError, what: 'token' | 'cookie', port: number, scheme: string): GatewayError {
  const cookie = { scheme, clear: what === 'cookie' };
  if (error.claimedKind === 'share' && error.problem === 'expired') return linkExpired(cookie);
  if (error.problem === 'expired') {
    const message =
      what === 'cookie'
        ? `Your login to this preview has expired. ${loginHint(port)}`
        : 'The owner token (X-Porthole-Token) has expired. Get a new one with `porthole token`.';
    return refusal(401, 'login_expired', message, cookie);
  }
  if (error.problem === 'too_large') {
    return refusal(400, 'token_too_large', 'The credential is too large to be a Porthole token.', cookie);
  }
  const message =
    what === 'cookie'
      ? `The Porthole cookie is not valid for this preview. ${loginHint(port)}`
      : 'The X-Porthole-Token header does not hold a valid owner token for this gateway.';
  return refusal(401, 'token_invalid', message, cookie);
}

export const ownerTokenForOtherSession = () =>
  refusal(403, 'wrong_session', 'This owner token belongs to another session.');

export const cookieForOtherPort = (port: number, scheme: string) =>
  refusal(403, 'wrong_port', `This cookie was issued for another preview. ${loginHint(port)}`, { scheme, clear: true });

/** A share link id that is not live: revoked (410) or never issued by this session (403). */
export function linkNotLive(state: 'revoked' | 'unknown', cookie: ClearCookie): GatewayError {
  return state === 'revoked'
    ? refusal(410, 'link_revoked', 'This link was revoked by the owner of the preview.', cookie)
    : refusal(403, 'link_unknown', 'This link is not one this session issued.', cookie);
}

// ── a login or share link in the URL ──────────────────────────────────────

export const linkExpired = (cookie?: ClearCookie) =>
  refusal(410, 'link_expired', 'This link has expired. Ask the person who shared it for a new one.', cookie);

export const loginExpired = (port: number) =>
  refusal(410, 'login_expired', `This login link has expired. ${loginHint(port)}`);

export const loginUsed = (port: number) =>
  refusal(410, 'login_used', `This login link has already been used. ${loginHint(port)}`);

export const linkTooLarge = () =>
  refusal(400, 'token_too_large', 'The link holds a credential too large to be a Porthole token.');

export const linkInvalid = (kind: Extract<TokenKind, 'login' | 'share'>) =>
  refusal(401, kind === 'login' ? 'login_invalid' : 'link_invalid', 'This link is not valid.');

export const linkForOtherPort = () => refusal(403, 'wrong_port', 'This link was issued for another preview.');

// ── sign-in on the control plane (routes/signin.ts) ───────────────────────

/** A browser sent to sign in for a port without the owner's control-plane login: no redirect, so no loop. */
export const signInNeeded = (port: number) =>
  refusal(
    401,
    'preview_private',
    `This preview is private. If it is yours, sign in with your dashboard link: run \`porthole dashboard\` ` +
      `in the session, open the link it prints, then open this preview again (or run \`porthole login ${port}\`). ` +
      'If you were given a share link, open that link.',
  );

/**
 * The browser came back for the same port again and again: it does not keep the port's cookie.
 * `clear` is the Set-Cookie that resets the loop guard, so a retry after fixing it works.
 */
export const signInLoop = (host: string, clear: string) =>
  new GatewayError(
    403,
    'sign_in_loop',
    `Your browser did not keep the login cookie of ${host}, so signing in would go round in circles. ` +
      'Allow cookies for that address (and clear any other Porthole cookies of this domain), then open it again.',
    { headers: { 'referrer-policy': 'no-referrer', 'set-cookie': clear } },
  );

/** A page of another site (another session's preview, say) sent the owner's browser to sign in. */
export const signInFromElsewhere = () =>
  refusal(
    403,
    'sign_in_refused',
    'Another page sent you here to open a private preview, which only its owner may do. ' +
      "Open the preview's own address, or the dashboard.",
  );

/** A sign-in request naming no port, or a path that is not a path on the port's host. */
export const signInBadRequest = (message: string) => refusal(400, 'bad_request', message);

/** A port login link (on the control plane) that has expired; its port is not trusted from an unverified token. */
export const loginLinkExpired = () =>
  refusal(
    410,
    'login_expired',
    'This login link has expired. Run `porthole login <port>` in the session for a new one.',
  );

// ── the dashboard ─────────────────────────────────────────────────────────

export const dashboardLoginNeeded = (why: 'none' | 'expired' | 'invalid') =>
  refusal(
    401,
    'dashboard_login',
    `${
      why === 'none'
        ? "This is a session's dashboard."
        : why === 'expired'
          ? 'Your dashboard login has expired.'
          : 'Your dashboard login is not valid.'
    } ${dashboardHint}`,
  );

export const dashboardCookieForOther = () =>
  refusal(403, 'wrong_session', `This login is for another dashboard. ${dashboardHint}`);

export const dashboardLinkExpired = () =>
  refusal(410, 'login_expired', `This dashboard link has expired. ${dashboardHint}`);

export const dashboardLinkInvalid = () =>
  refusal(401, 'login_invalid', `This dashboard link is not valid. ${dashboardHint}`);

export const dashboardLinkForOther = () =>
  refusal(403, 'wrong_session', `This link is not for this dashboard. ${dashboardHint}`);

export const dashboardLinkUsed = () =>
  refusal(410, 'login_used', `This dashboard link has already been used. ${dashboardHint}`);

// ── the control plane's bearer tokens ─────────────────────────────────────

/** 401 with `WWW-Authenticate: Bearer` (admin API, owner API, the tunnel). */
export const bearerRefused = (message: string) =>
  new GatewayError(401, 'unauthorized', message, { headers: { 'www-authenticate': 'Bearer realm="porthole"' } });

export const tokenForOtherSession = () => new GatewayError(403, 'forbidden', 'This token belongs to another session.');
