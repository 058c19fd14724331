/**
 * Which part of Porthole a request's host addresses: the control plane on the
 * bare domain, a port preview on a subdomain, or nothing of ours.
 */
import type { Env } from '../env';
import { type PortLabel, parseLabel } from './label';

export type HostTarget = { kind: 'bare' } | { kind: 'preview'; label: PortLabel } | { kind: 'unknown' };

export function classifyHost(url: URL, env: Env): HostTarget {
  // URL has already lowercased the host name and decoded nothing: punycode stays `xn--`.
  const hostname = url.hostname;
  const domain = env.PREVIEW_DOMAIN.toLowerCase();
  if (hostname === domain) return { kind: 'bare' };
  if (!hostname.endsWith(`.${domain}`)) return { kind: 'unknown' };
  const label = parseLabel(hostname.slice(0, -domain.length - 1));
  return label ? { kind: 'preview', label } : { kind: 'unknown' };
}

/** The Session Durable Object of a session id: the only place ids become objects. */
export function sessionStub(env: Env, session: string) {
  return env.SESSION.get(env.SESSION.idFromName(session));
}
