/**
 * Porthole's own cookies: the owner's (or a reviewer's) login on a port's
 * host, and the owner's login to a session's dashboard. Set-Cookie values are
 * serialised by hono's cookie helper, which enforces the `__Host-` and
 * `__Secure-` prefix rules (RFC 6265bis §4.1.3); reading and stripping use
 * one parser, so what is read as Porthole's is exactly what is stripped.
 *
 * Every preview is a possibly hostile page on the gateway's domain, so:
 * - on https only the prefixed names are read (a `__Host-` cookie can only be
 *   set by its own host, without Domain; `porthole` is read on plain http only);
 * - a page may plant copies of a name (Domain=, Path=), so every copy is tried
 *   (admission.ts) and none is trusted for being first;
 * - names that begin with `porthole` in any case, with or without a prefix,
 *   are Porthole's (RESERVED): never sent to an origin, never set by one.
 */
import { generateCookie } from 'hono/cookie';

/** Port hosts: `porthole` on http; `__Host-porthole` on https (exactly this host, Secure, Path=/). */
const PORT_COOKIE = 'porthole';
/** The dashboard: `porthole_dashboard` on http; `__Secure-porthole_dashboard` on https, Path=/s/<session>. */
const DASHBOARD_COOKIE = 'porthole_dashboard';

/** The names a port cookie is read under: exactly the one the gateway sets for `scheme` (`http`/`https`). */
export function portCookieNames(scheme: string): ReadonlySet<string> {
  return new Set([scheme === 'https' ? `__Host-${PORT_COOKIE}` : PORT_COOKIE]);
}

/** The names a dashboard cookie is read under: on https only the `__Secure-`/`__Host-` forms. */
export function dashboardCookieNames(scheme: string): ReadonlySet<string> {
  return new Set(
    scheme === 'https' ? [`__Secure-${DASHBOARD_COOKIE}`, `__Host-${DASHBOARD_COOKIE}`] : [DASHBOARD_COOKIE],
  );
}

/** How long the owner's login cookie on a port host or the dashboard lasts: 12 hours, in seconds (never past its grant). */
export const COOKIE_TTL_SECONDS = 12 * 3600;

/** Max-Age of an owner cookie, in seconds: COOKIE_TTL_SECONDS, cut to what is left of its grant (`until`, epoch seconds). */
export function cookieAge(grant: { until: number }): number {
  return Math.max(0, Math.min(COOKIE_TTL_SECONDS, grant.until - Math.floor(Date.now() / 1000)));
}

/**
 * At most this many distinct copies of one cookie name are tried. A page can plant one copy per
 * parent domain and per path prefix of the request's path, so a real browser sends a handful;
 * the bound keeps a hand-made header of thousands of copies from costing a verification each.
 */
export const MAX_COOKIE_COPIES = 64;

/**
 * Whether a cookie name is Porthole's: it begins with `porthole` once lowercased and stripped of
 * any `__Host-`, `__Secure-`, `__Http-` or `__Host-Http-` prefix (browsers match prefixes without
 * regard to case). So `PORTHOLE`, `__secure-Porthole_dashboard` and `porthole_x` are all reserved.
 */
export function isReservedName(name: string): boolean {
  return /^(?:__(?:host-http|host|secure|http)-)*porthole/.test(name.trim().toLowerCase());
}

interface CookiePair {
  name: string;
  value: string;
  /** The pair exactly as the viewer sent it. */
  raw: string;
}

function cookiePairs(request: Request): CookiePair[] {
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

/** Host-only cookie of a browser that has seen the public-preview warning on this host (interstitial.ts; a reserved name). */
export const WARNED_COOKIE = 'porthole_warned';

/** What `readCookies` found: the distinct values, and whether there were more than it returns. */
export interface CookieCopies {
  /** Distinct values of the named cookies, in header order, at most MAX_COOKIE_COPIES. */
  values: string[];
  /** True when copies beyond MAX_COOKIE_COPIES were left untried. */
  more: boolean;
}

/** Every copy (by distinct value, in header order) of the cookies named one of `names` (exact, case-sensitive). */
export function readCookies(request: Request, names: ReadonlySet<string>): CookieCopies {
  const values = [...new Set(cookiePairs(request).flatMap((c) => (names.has(c.name) ? [c.value] : [])))];
  return { values: values.slice(0, MAX_COOKIE_COPIES), more: values.length > MAX_COOKIE_COPIES };
}

/** Cloudflare Access's session cookie (`CF_Authorization`, any case): a credential, never the app's. */
function isAccessCookie(name: string): boolean {
  return name.trim().toLowerCase() === 'cf_authorization';
}

/**
 * The Cookie header without any of Porthole's cookies (every reserved name, in any case or
 * prefix form: port, dashboard, or a copy a page planted) nor Cloudflare Access's, each other
 * pair byte for byte; null when none is left.
 */
export function appCookies(request: Request): string | null {
  const kept = cookiePairs(request).filter((c) => {
    const name = c.name || c.value.split('=', 1)[0]!;
    return !isReservedName(name) && !isAccessCookie(name);
  });
  return kept.length ? kept.map((c) => c.raw).join('; ') : null;
}

/**
 * Whether an origin's Set-Cookie may reach the viewer of `host` (a host name, no port):
 * not when its name is reserved or Cloudflare Access's `CF_Authorization` (a nameless cookie, `=porthole=x`, is sent back as
 * `porthole=x`, so its value's name counts), and not when a `Domain` attribute names anything
 * but `host` itself (a parent would reach other previews, of other sessions too; RFC 6265
 * §5.2.3, a leading dot ignored, an empty value meaning host-only).
 */
export function setCookieAllowed(setCookie: string, host: string): boolean {
  const [pair = '', ...attributes] = setCookie.split(';');
  const eq = pair.indexOf('=');
  const name = eq < 0 ? '' : pair.slice(0, eq).trim();
  const sentAs = name || (eq < 0 ? pair : pair.slice(eq + 1)).split('=', 1)[0]!;
  // Nor Access's session cookie: on a port host Access fronts it would swap or end the viewer's Access sign-in.
  if (isReservedName(sentAs) || isAccessCookie(sentAs)) return false;
  for (const attribute of attributes) {
    const at = attribute.indexOf('=');
    if (at < 0 || attribute.slice(0, at).trim().toLowerCase() !== 'domain') continue;
    const domain = attribute
      .slice(at + 1)
      .trim()
      .replace(/^\./, '')
      .toLowerCase();
    if (domain !== '' && domain !== host.toLowerCase()) return false;
  }
  return true;
}

const attributes = (maxAgeSeconds: number) =>
  ({ maxAge: Math.max(0, Math.floor(maxAgeSeconds)), httpOnly: true, sameSite: 'Lax' }) as const;

/**
 * Set-Cookie for a port host: HttpOnly, SameSite=Lax, host-only (no Domain),
 * Path=/, and on https `__Host-` with Secure.
 * @param maxAgeSeconds lifetime; 0 clears the cookie.
 */
export function portCookie(scheme: string, value: string, maxAgeSeconds: number): string {
  return generateCookie(PORT_COOKIE, value, {
    ...attributes(maxAgeSeconds),
    path: '/',
    ...(scheme === 'https' ? { prefix: 'host' } : {}),
  });
}

/** Set-Cookie that clears the port cookie of this scheme: only the host-only one the gateway set. */
export function clearPortCookie(scheme: string): string {
  return portCookie(scheme, '', 0);
}

/** Set-Cookie for a session's dashboard: HttpOnly, SameSite=Lax, Path=/s/<session>, `__Secure-` on https. */
export function dashboardCookie(scheme: string, session: string, value: string, maxAgeSeconds: number): string {
  return generateCookie(DASHBOARD_COOKIE, value, {
    ...attributes(maxAgeSeconds),
    path: `/s/${session}`,
    ...(scheme === 'https' ? { prefix: 'secure' } : {}),
  });
}
