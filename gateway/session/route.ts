/**
 * What the Session DO knows about a request the Worker forwarded. A viewer
 * request arrives unchanged: its URL still names the verified port label, so
 * the route is read from it (no copy of the request). The tunnel upgrade
 * carries its route in one internal header, set by the Worker after it
 * verified the session token; the DO trusts that header only on the bare domain.
 */
import type { Env } from '../env';
import { classifyHost } from '../routing/host';

export const TUNNEL_HEADER = 'x-porthole-tunnel';

export interface TunnelRoute {
  kind: 'tunnel';
  session: string;
  /** Scheme and host of the bare domain, to build port URLs with. */
  base: { scheme: string; host: string };
}

export interface ViewerRoute {
  kind: 'viewer';
  session: string;
  port: number;
  /** The public host the viewer used. */
  host: string;
  scheme: string;
  clientIp: string | null;
  url: URL;
}

export function tunnelRequest(request: Request, route: TunnelRoute): Request {
  const headers = new Headers(request.headers);
  headers.set(TUNNEL_HEADER, JSON.stringify(route));
  return new Request(request, { headers });
}

export function readRoute(request: Request, env: Env): TunnelRoute | ViewerRoute {
  const url = new URL(request.url);
  const target = classifyHost(url, env);
  if (target.kind === 'preview') {
    return {
      kind: 'viewer',
      session: target.label.session,
      port: target.label.port,
      host: url.host,
      scheme: url.protocol.slice(0, -1),
      clientIp: request.headers.get('cf-connecting-ip'),
      url,
    };
  }
  const raw = target.kind === 'bare' ? request.headers.get(TUNNEL_HEADER) : null;
  if (!raw) throw new Error('request reached the Session object without a route');
  return JSON.parse(raw) as TunnelRoute;
}
