/**
 * Porthole's own cookies: the owner's (or a reviewer's) login on a port's
 * host, and the owner's login to a session's dashboard. Set-Cookie values are
 * serialised by hono's cookie helper, which enforces the `__Host-` and
 * `__Secure-` prefix rules (RFC 6265bis §4.1.3); reading and stripping use
 * one parser, so what is read as Porthole's is exactly what is stripped.
 */
import { generateCookie } from 'hono/cookie';

/** Port hosts: `porthole` on http; `__Host-porthole` on https (exactly this host, Secure, Path=/). */
const PORT_COOKIE = 'porthole';
export const PORT_COOKIES: ReadonlySet<string> = new Set([`__Host-${PORT_COOKIE}`, PORT_COOKIE]);

/** The dashboard: `porthole_dashboard` on http; `__Secure-porthole_dashboard` on https, Path=/s/<session>. */
const DASHBOARD_COOKIE = 'porthole_dashboard';
export const DASHBOARD_COOKIES: ReadonlySet<string> = new Set([`__Secure-${DASHBOARD_COOKIE}`, DASHBOARD_COOKIE]);

/** How long the owner's login cookie on a port host or the dashboard lasts: 12 hours, in seconds. */
export const COOKIE_TTL_SECONDS = 12 * 3600;

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

/** The value of the first cookie (in header order) named one of `names`; null if none. */
export function readCookie(request: Request, names: ReadonlySet<string>): string | null {
  const found = cookiePairs(request).find((c) => names.has(c.name));
  return found ? found.value : null;
}

/** Host-only cookie of a browser that has seen the public-preview warning on this host (interstitial.ts). */
export const WARNED_COOKIE = 'porthole_warned';

/** Cookies of Porthole's on a port host that never reach the origin: the login, and the warning's. */
const GATEWAY_COOKIES: ReadonlySet<string> = new Set([...PORT_COOKIES, WARNED_COOKIE]);

/** The Cookie header without Porthole's port cookies, each other pair byte for byte (null when none is left). */
export function appCookies(request: Request): string | null {
  const kept = cookiePairs(request).filter((c) => !GATEWAY_COOKIES.has(c.name));
  return kept.length ? kept.map((c) => c.raw).join('; ') : null;
}

/** Whether a Set-Cookie value (from an origin) sets one of Porthole's port cookies. */
export function setsPortCookie(setCookie: string): boolean {
  return GATEWAY_COOKIES.has(setCookie.slice(0, setCookie.indexOf('=')).trim());
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

/** Set-Cookie that clears the port cookie of this scheme. */
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
