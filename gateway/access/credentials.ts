/**
 * Where a viewer's Porthole credentials travel, other than the cookie
 * (cookies.ts): a header for tools and agents, and two query parameters that
 * the gateway exchanges for a cookie (exchange.ts). None of them ever reaches
 * the origin.
 */

/** Header carrying an owner token (tools and agents); removed before the origin. */
export const TOKEN_HEADER = 'x-porthole-token';
/** Query parameter of a one-time owner login link. */
export const LOGIN_PARAM = 'porthole_login';
/** Query parameter of a reviewer's share link. */
export const SHARE_PARAM = 'porthole_share';

/** Whether the URL carries a login or share token (the gateway answers such a request itself). */
export function hasUrlCredential(url: URL): boolean {
  return url.searchParams.has(LOGIN_PARAM) || url.searchParams.has(SHARE_PARAM);
}

/** The URL without Porthole's query parameters; the rest of the query keeps its exact bytes and order. */
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
        // Not valid percent-encoding, so not one of ours either: it stays, byte for byte.
      }
      return decoded !== LOGIN_PARAM && decoded !== SHARE_PARAM;
    });
  clean.search = kept.length ? `?${kept.join('&')}` : '';
  return clean;
}
