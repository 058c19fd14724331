/**
 * The optional public-preview warning (PUBLIC_PREVIEW_WARNING=on; off by default). An operator's
 * domain that serves pages nobody on the operator's side wrote gets flagged for phishing, so the
 * first browser visit to a public port shows a page that names the session and says its content is
 * not the operator's, as Microsoft dev tunnels and ngrok do. "Continue" sets a host-only cookie and
 * returns to the page; tools, scripts and every request that is not a page load go straight through.
 */
import { generateCookie } from 'hono/cookie';
import type { Visibility } from '../../protocol';
import { warningPage } from '../pages/warning-page';
import type { ViewerRoute } from '../routing/route';
import { readCookies, WARNED_COOKIE } from './cookies';

/** Query parameter of the warning page's "Continue" link; answered by the gateway, never forwarded. */
export const CONTINUE_PARAM = 'porthole_continue';
/** Request header that skips the warning (any value), for tools that want the app's HTML. */
export const SKIP_WARNING_HEADER = 'x-porthole-skip-warning';
const WARNED_COOKIES: ReadonlySet<string> = new Set([WARNED_COOKIE]);
/** How long "Continue" is remembered on this host: 7 days, in seconds. */
const WARNED_TTL_SECONDS = 7 * 24 * 3600;

/**
 * Whether this request is a browser's first page load of a public port: GET or HEAD, HTML
 * accepted, a document (Sec-Fetch-Dest `document`, or no Sec-Fetch-Dest from an older client),
 * no skip header and no warned cookie.
 */
export function needsWarning(request: Request): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  if (!(request.headers.get('accept') ?? '').includes('text/html')) return false;
  const dest = request.headers.get('sec-fetch-dest');
  if (dest !== null && dest !== 'document') return false;
  if (request.headers.has(SKIP_WARNING_HEADER)) return false;
  return readCookies(request, WARNED_COOKIES).values.length === 0;
}

/** The answer to "Continue": remember it on this host, and go back to the page without the parameter. */
export function acknowledge(url: URL, scheme: string): Response {
  const back = new URL(url);
  back.searchParams.delete(CONTINUE_PARAM);
  const cookie = generateCookie(WARNED_COOKIE, '1', {
    path: '/',
    maxAge: WARNED_TTL_SECONDS,
    httpOnly: true,
    sameSite: 'Lax',
    ...(scheme === 'https' ? { secure: true } : {}),
  });
  return new Response('Redirecting…\n', {
    status: 303,
    headers: {
      location: back.toString(),
      'set-cookie': cookie,
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'content-type': 'text/plain; charset=utf-8',
    },
  });
}

/** The warning page when the port is public (`views` knows its visibility); null for private and link ports. */
export async function warningIfPublic(
  route: ViewerRoute,
  session: string,
  views: { visibility(port: number): Promise<Visibility> },
): Promise<Response | null> {
  if ((await views.visibility(route.port)) !== 'public') return null;
  const next = new URL(route.url);
  next.searchParams.set(CONTINUE_PARAM, '1');
  return warningPage(route.port, session, next.toString());
}
