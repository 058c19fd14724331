/**
 * Which part of Porthole a request's host addresses: the control plane on
 * CONTROL_DOMAIN, a port preview in the configured host shape under
 * PREVIEW_DOMAIN (docs/hosts.md), or nothing of ours. Parsed once, by the
 * Worker; the Session object receives the result (route.ts).
 */
import { type PortLabel, type PreviewHosts, parseLabel, verifyLabel } from './label';

export type HostTarget = { kind: 'control' } | { kind: 'preview'; label: PortLabel } | { kind: 'unknown' };

/** What classifying a host needs (a GatewayConfig has it all). */
export type HostNames = PreviewHosts & { controlDomain: string };

/**
 * @param url the request URL (the runtime builds it from the Host header, lowercased).
 * @param hosts the lowercase CONTROL_DOMAIN and PREVIEW_DOMAIN, and HOST_SHAPE (config.ts).
 * @returns `control` for exactly CONTROL_DOMAIN; `preview` for a host of exactly the
 *   shape's form (its sig not yet verified); `unknown` for anything else, including a
 *   port label in the other shape, under another session's name, or with an extra label.
 */
export function classifyHost(url: URL, hosts: HostNames): HostTarget {
  // URL has already lowercased the host name and decoded nothing: punycode stays `xn--`.
  const hostname = url.hostname;
  if (hostname === hosts.controlDomain) return { kind: 'control' };
  const domain = hosts.previewDomain;
  if (!hostname.endsWith(`.${domain}`)) return { kind: 'unknown' };
  const label = parseLabel(hostname.slice(0, -domain.length - 1), hosts.hostShape);
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

type LabelKeys = HostNames & { labelKey: string };

/** `text` as a URL, or null when it is none (e.g. the Origin `null`). */
function urlOf(text: string | null): URL | null {
  if (!text) return null;
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/** Whether `url` is on http(s) and on a correctly signed preview host of `session`. */
async function onSessionPreview(url: URL, session: string, keys: LabelKeys): Promise<boolean> {
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false;
  const target = classifyHost(url, keys);
  return target.kind === 'preview' && target.label.session === session && verifyLabel(keys.labelKey, target.label);
}

/**
 * True if `origin` (an Origin header or a URL) is a genuine, correctly signed
 * preview host of `session`: where a login chain may end.
 */
export async function isSessionOrigin(origin: string | null, session: string, keys: LabelKeys): Promise<boolean> {
  const url = urlOf(origin);
  return url !== null && onSessionPreview(url, session, keys);
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
  keys: LabelKeys,
): Promise<boolean> {
  const url = urlOf(origin);
  if (!url || url.origin !== origin || url.host === ownHost) return false;
  return onSessionPreview(url, session, keys);
}
