/**
 * Owner sign-in that covers a whole session (as a signed-in Codespaces owner
 * expects): a browser that navigates to a private or link port without a
 * valid credential is sent (303) to the control plane's sign-in endpoint,
 * `<control>/s/<session>/open?port=<n>&path=<path+query>` (routes/signin.ts).
 * There the owner's control-plane cookie (set by every login and dashboard
 * link) earns a one-time login ticket for that port, which exchange.ts turns
 * into the port's own host-only cookie. So a port that starts after the
 * owner signed in opens without a new link.
 *
 * Only top-level navigations are sent on: tools, fetch/XHR, subresources,
 * frames, WebSockets and every non-GET keep today's 401 (so scripts and
 * `X-Porthole-Token` see no redirect).
 */
import { GatewayError } from '../errors';
import type { ViewerRoute } from '../routing/route';
import type { TokenSecrets } from '../auth/keys';
import { mintToken } from '../auth/tokens';
import { listenPort } from '../routing/label';
import { LOGIN_PARAM, TOKEN_HEADER, withoutCredentials } from './credentials';
import { redirect } from './exchange';

/**
 * Whether `request` is a browser loading a top-level document: a GET with
 * `Sec-Fetch-Dest: document` (or, without Sec-Fetch-Dest, `Sec-Fetch-Mode:
 * navigate`); from a browser too old to send either (Fetch Metadata, W3C), a
 * GET whose Accept names text/html.
 */
export function isNavigation(request: Request): boolean {
  if (request.method !== 'GET') return false;
  if (request.headers.get('upgrade') !== null) return false;
  const dest = request.headers.get('sec-fetch-dest');
  if (dest !== null) return dest === 'document';
  const mode = request.headers.get('sec-fetch-mode');
  if (mode !== null) return mode === 'navigate';
  return /\btext\/html\b/i.test(request.headers.get('accept') ?? '');
}

/**
 * The origin of the control plane (dashboard, owner API, sign-in) as seen from a port preview:
 * CONTROL_DOMAIN, on the scheme and listening port the viewer used
 * (`http://8000-….<session>.localhost:8787` → `http://porthole.localhost:8787`).
 */
export function controlOrigin(route: ViewerRoute, controlDomain: string): string {
  return `${route.scheme}://${controlDomain}${listenPort(route.host)}`;
}

/** Query parameter of a hand-over's proof: a `handover` token for this session, port and path. */
export const PROOF_PARAM = 'proof';
/** How long a hand-over's proof is good for: the very next request of the redirect, 60 s. */
const PROOF_TTL_SECONDS = 60;

/**
 * The sign-in endpoint for this request: `<control>/s/<session>/open?port=<n>&path=<path+query>&proof=<jwt>`.
 * The proof (a `handover` token binding session, port and path) shows the port itself sent the browser:
 * a page elsewhere that knows only the session id cannot send the owner to a path of its choosing.
 */
export async function signInUrl(route: ViewerRoute, cfg: TokenSecrets & { controlDomain: string }): Promise<string> {
  const clean = withoutCredentials(route.url);
  const path = clean.pathname + clean.search;
  const proof = await mintToken(cfg, 'handover', {
    session: route.session,
    port: route.port,
    ret: path,
    ttlSeconds: PROOF_TTL_SECONDS,
  });
  const query = new URLSearchParams({ port: String(route.port), path, [PROOF_PARAM]: proof });
  return `${controlOrigin(route, cfg.controlDomain)}/s/${route.session}/open?${query.toString()}`;
}

/**
 * The redirect to the sign-in endpoint, thrown on the refusal path like any
 * refusal (its answer is a 303, not an error page): `Cache-Control: no-store`,
 * `Referrer-Policy: no-referrer`, and the refused cookie's clearing if any.
 */
export class SignInRedirect extends GatewayError {
  constructor(
    readonly location: string,
    readonly cookie: string | null,
  ) {
    super(303, 'sign_in', 'Signing in with the control plane.');
  }

  override toResponse(): Response {
    return redirect(this.location, this.cookie);
  }
}

/**
 * What a refusal of a private or link port becomes: a 401 (no credential, or
 * a cookie that is expired or not valid) on a top-level navigation without
 * `X-Porthole-Token` becomes the redirect to sign-in; anything else (403,
 * 410, a tool, a fetch) stays the refusal.
 */
export async function refusalOrSignIn(
  refusal: GatewayError,
  request: Request,
  route: ViewerRoute,
  cfg: TokenSecrets & { controlDomain: string },
): Promise<GatewayError> {
  if (refusal.status !== 401 || request.headers.has(TOKEN_HEADER) || !isNavigation(request)) return refusal;
  return new SignInRedirect(await signInUrl(route, cfg), refusal.headers['set-cookie'] ?? null);
}

/** Whether `path` may be a path and query on a port's host: starts with `/`, no spaces, controls or backslashes. */
export function isPortPath(path: string): boolean {
  // eslint-disable-next-line no-control-regex
  return path.startsWith('/') && !/[\u0000-\u0020\u007f\\]/.test(path);
}

/**
 * The URL a sign-in sends the browser to: `path` (a path and query from the
 * sign-in request) on `portOrigin`, with Porthole's own parameters removed
 * and `?porthole_login=<ticket>` added. The URL is built from the port's
 * origin and the path, never taken from the query, and checked to stay on
 * that origin. Null for a `path` that is not a path (`https://…`, `evil`,
 * control characters or spaces).
 * @param portOrigin e.g. `http://8000-….porthole.localhost:8787`.
 */
export function ticketUrl(portOrigin: string, path: string, ticket: string): string | null {
  if (!isPortPath(path)) return null;
  let target: URL;
  try {
    // Concatenated, not resolved: `//evil.example` stays a path on the port's host.
    target = withoutCredentials(new URL(`${portOrigin}${path}`));
  } catch {
    return null;
  }
  if (target.origin !== portOrigin) return null;
  target.hash = '';
  target.search = target.search ? `${target.search}&${LOGIN_PARAM}=${ticket}` : `?${LOGIN_PARAM}=${ticket}`;
  return target.toString();
}
