/**
 * Which part of Porthole a request's host addresses: the control plane on the
 * bare domain, a port preview on a subdomain, or nothing of ours. Parsed once,
 * by the Worker; the Session object receives the result (route.ts).
 */
import { type PortLabel, parseLabel, verifyLabel } from './label';

export type HostTarget = { kind: 'bare' } | { kind: 'preview'; label: PortLabel } | { kind: 'unknown' };

/**
 * @param url the request URL (the runtime builds it from the Host header, lowercased).
 * @param previewDomain the lowercase PREVIEW_DOMAIN (config.ts).
 */
export function classifyHost(url: URL, previewDomain: string): HostTarget {
  // URL has already lowercased the host name and decoded nothing: punycode stays `xn--`.
  const hostname = url.hostname;
  if (hostname === previewDomain) return { kind: 'bare' };
  if (!hostname.endsWith(`.${previewDomain}`)) return { kind: 'unknown' };
  const label = parseLabel(hostname.slice(0, -previewDomain.length - 1));
  return label ? { kind: 'preview', label } : { kind: 'unknown' };
}

/**
 * Whether the Host header names the host as `url` has it, ignoring a port:
 * labels are lowercase only, so a Host the runtime had to normalise (upper
 * case, …) to build the URL is not one we issued. True without a Host header.
 */
export function hostAsSent(host: string | null, url: URL): boolean {
  return host === null || host.replace(/:\d+$/, '') === url.hostname;
}

/**
 * True if `origin` (an Origin header or a URL) is a genuine, correctly signed
 * preview host of `session`: a sibling port, whose requests the session may
 * trust as its own front end's.
 */
export async function isSessionOrigin(
  origin: string | null,
  session: string,
  keys: { previewDomain: string; labelKey: string },
): Promise<boolean> {
  if (!origin) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // Not a URL (e.g. `null`): no preview's origin.
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  const target = classifyHost(url, keys.previewDomain);
  return target.kind === 'preview' && target.label.session === session && verifyLabel(keys.labelKey, target.label);
}

/**
 * True if the Origin header `origin` is another port of this session (RFC 6454 §7: scheme, host
 * and port only): exactly as a browser serialises it, a correctly signed preview of `session`, and
 * not `ownHost` itself. A browser never preflights a same-origin request, so an Origin naming the
 * request's own host comes from a hand-made request and earns nothing.
 * @param ownHost the host (with port) of the request being admitted.
 */
export async function isSiblingOrigin(
  origin: string | null,
  session: string,
  ownHost: string,
  keys: { previewDomain: string; labelKey: string },
): Promise<boolean> {
  if (!origin) return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false; // Not a URL (e.g. `null`).
  }
  if (url.origin !== origin || url.host === ownHost) return false;
  return isSessionOrigin(origin, session, keys);
}
