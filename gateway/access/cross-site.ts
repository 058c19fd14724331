/**
 * Cross-session requests on private and link ports (README, "Other sites' pages").
 *
 * Every preview is a possibly hostile page, and a browser attaches the owner's
 * cookie to many requests another page starts. So before a private or link
 * port's request is identified (and long before it reaches the origin), the
 * gateway asks where the browser says it comes from, and refuses (403
 * `cross_session`) whatever another session's preview or any other site
 * could start with the owner's cookie riding along: a POST (fetch or form),
 * a credentialed fetch, a frame, a WebSocket. A plain top-level link
 * navigation from elsewhere (a link in a chat) still opens.
 *
 * The rule, in order (`Origin` per RFC 6454 §7; `Sec-Fetch-*` per W3C Fetch
 * Metadata; `Referer` per RFC 9110 §10.1.3):
 * 1. `Origin` present (every non-GET request a browser makes, every CORS
 *    request, every WebSocket):
 *    - a preview of this session (any of its ports, the port's own host
 *      included; signature checked by routing/host.ts) → on;
 *    - `null` (an opaque origin: sandboxed frame, data: URL, or a
 *      `no-referrer` page's own form) → on only with `Sec-Fetch-Site: same-origin`;
 *    - anything else → refused.
 * 2. No `Origin` (GET/HEAD: navigations and subresources):
 *    - no `Sec-Fetch-Site` (tools, old browsers), or `same-origin` / `none`
 *      (typed in the address bar, a bookmark) → on;
 *    - a `Referer` on a preview of this session → on;
 *    - a `Referer` on any other preview (another session) → refused;
 *    - otherwise (no Referer, or a non-preview site): only a top-level
 *      navigation (`Sec-Fetch-Mode: navigate`, `Sec-Fetch-Dest: document`) is
 *      on; frames, scripts, images and no-cors fetches are refused.
 * Public ports are not checked: anyone may open them anyway.
 */
import type { GatewayConfig } from '../config';
import { classifyHost, isSessionOrigin } from '../routing/host';
import type { ViewerRoute } from '../routing/route';
import { refusal } from './refusals';

/** 403 `cross_session`: a request another site's page started; the cookie is never cleared by it. */
export const crossSession = () =>
  refusal(
    403,
    'cross_session',
    "This preview is private to its session: a page of another site or session may not call, frame or connect to it. Open the preview's address yourself.",
  );

type Keys = Pick<GatewayConfig, 'previewDomain' | 'controlDomain' | 'hostShape' | 'labelKey'>;

/** The origin of a Referer (scheme, host, port), or null when absent or not an http(s) URL. */
function refererUrl(request: Request): URL | null {
  const text = request.headers.get('referer');
  if (!text) return null;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/** Whether a browser would call this a top-level navigation (what a clicked link is). */
function topLevelNavigation(request: Request): boolean {
  const h = request.headers;
  return (
    (request.method === 'GET' || request.method === 'HEAD') &&
    h.get('sec-fetch-mode') === 'navigate' &&
    (h.get('sec-fetch-dest') ?? 'document') === 'document'
  );
}

/**
 * Throws `crossSession()` when another site's page started `request` (the rule
 * above); resolves when it may go on to the usual admission.
 * @param keys PREVIEW_DOMAIN and the label key, to recognise this session's previews.
 */
export async function refuseCrossSite(request: Request, route: ViewerRoute, keys: Keys): Promise<void> {
  const site = request.headers.get('sec-fetch-site');
  const origin = request.headers.get('origin');
  if (origin !== null) {
    if (origin === 'null') {
      if (site === 'same-origin') return;
      throw crossSession();
    }
    if (await isSessionOrigin(origin, route.session, keys)) return;
    throw crossSession();
  }
  if (site === null || site === 'same-origin' || site === 'none') return;
  const referer = refererUrl(request);
  if (referer) {
    if (await isSessionOrigin(referer.origin, route.session, keys)) return;
    if (classifyHost(referer, keys).kind === 'preview') throw crossSession();
  }
  if (topLevelNavigation(request)) return;
  throw crossSession();
}

/**
 * The `frame-ancestors` sources for a private or link port's answer: `'self'`,
 * plus the origin of the page of this session that framed it (its Referer,
 * already checked by refuseCrossSite). Sent as a policy of its own next to
 * any the app sets, so the browser enforces both: it narrows, never widens.
 */
export async function frameAncestors(request: Request, route: ViewerRoute, keys: Keys): Promise<string> {
  const referer = refererUrl(request);
  if (referer && referer.host !== route.host && (await isSessionOrigin(referer.origin, route.session, keys))) {
    return `'self' ${referer.origin}`;
  }
  return "'self'";
}

/**
 * Whether a private or link port's answer should sever `window.opener` (Cross-Origin-Opener-Policy
 * `same-origin`): a top-level navigation that no page of this session started (`Sec-Fetch-Site`
 * cross-site, and no Referer of this session). A page elsewhere that opened it (`window.open`) then
 * keeps no handle on it: it cannot count its frames, watch it navigate or navigate it (XS-Leaks,
 * tab-nabbing). Pages of the session open each other as before.
 */
export async function severOpener(request: Request, route: ViewerRoute, keys: Keys): Promise<boolean> {
  if (request.headers.get('sec-fetch-mode') !== 'navigate') return false;
  if (request.headers.get('sec-fetch-site') !== 'cross-site') return false;
  const referer = refererUrl(request);
  return !(referer && (await isSessionOrigin(referer.origin, route.session, keys)));
}

/**
 * Adds `Content-Security-Policy: frame-ancestors <sources>` as a policy of its
 * own (CSP3 enforces every policy, so the app's own frame-ancestors still
 * holds: this narrows, never widens), and `X-Frame-Options: SAMEORIGIN` when
 * the app set none and the sources are `'self'` only (browsers that know
 * frame-ancestors ignore it; older ones get the same rule). `headers` must be mutable.
 * @param sources e.g. `'self' https://3000-….example.dev`.
 */
export function addFrameAncestors(headers: Headers, sources: string): void {
  headers.append('content-security-policy', `frame-ancestors ${sources}`);
  if (sources === "'self'" && !headers.has('x-frame-options')) headers.set('x-frame-options', 'SAMEORIGIN');
}
