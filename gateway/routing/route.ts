/**
 * What the Worker tells the Session object about a request it forwards: the
 * host is parsed once, by the Worker, and the result travels in one internal
 * header that the Worker always sets (overwriting whatever a viewer sent) and
 * that never reaches an origin (headers.ts strips it). The session id is the
 * object's own name (`ctx.id.name`), so it is not repeated here.
 */
import type { Viewer } from '../access/policy';

/** Scheme and host (with port) of the control domain as the caller used it, to build URLs with (routing/label.ts portHost takes its port). */
export interface Base {
  /** `http` or `https`. */
  scheme: string;
  /** e.g. `porthole.localhost:8787`. */
  host: string;
}

/** The Base of a request's URL: its scheme without the colon, and its host with any port. */
export function baseOf(url: URL): Base {
  return { scheme: url.protocol.slice(0, -1), host: url.host };
}

export const ROUTE_HEADER = 'x-porthole-route';

/** The client's tunnel upgrade, after the Worker verified its session token. */
export interface TunnelRoute {
  kind: 'tunnel';
  base: Base;
  /** When the session token the tunnel was opened with expires, seconds since the epoch: the tunnel ends then. */
  expiresAt: number;
}

/** A viewer's request to a port preview whose label the Worker verified. */
export interface ViewerRoute {
  kind: 'viewer';
  session: string;
  port: number;
  /** The public host the viewer used (with port, if any). */
  host: string;
  /** `http` or `https`. */
  scheme: string;
  clientIp: string | null;
  url: URL;
  /**
   * The Worker's random id of this request, so the Worker can say the viewer left (the Session
   * object's `viewerLeft`, which resets its stream): the runtime passes no cancellation across the hop.
   */
  requestId?: string;
  /**
   * The viewer's own Accept-Encoding (`''` when it sent none), which the origin gets instead of the
   * runtime's (see viewerAcceptEncoding). Absent: the request's header is the viewer's.
   */
  acceptEncoding?: string;
}

/** The client's data connection for an upgraded stream (its session token verified by the Worker). */
export interface DataRoute {
  kind: 'data';
  /** The stream id of the viewer's WebSocket, 1 to 2^32-1. */
  stream: number;
}

/**
 * The owner's forwarded TCP connection (routes/forward.ts), or its check: who the Worker admitted
 * (the owner, or a member of the organisation: the Session object checks the port's visibility).
 */
export interface TcpRoute {
  kind: 'tcp';
  /** 1–65535. */
  port: number;
  viewer: Extract<Viewer, { kind: 'owner' | 'member' }>;
  /** True for the WebSocket upgrade that carries a connection; false for the check before it. */
  upgrade: boolean;
  clientIp: string | null;
}

type WireRoute =
  TunnelRoute | DataRoute | TcpRoute | { kind: 'viewer'; port: number; requestId?: string; acceptEncoding?: string };

/**
 * The Accept-Encoding the viewer sent, `''` for none. The runtime (Cloudflare's edge, and Miniflare
 * locally) replaces the header with its own `br, gzip` and keeps the viewer's value in
 * `request.cf.clientAcceptEncoding` (Miniflare: `''` when the viewer sent none); without that field
 * the header is taken as the viewer's.
 */
export function viewerAcceptEncoding(request: Request): string {
  const kept = (request as { cf?: { clientAcceptEncoding?: unknown } }).cf?.clientAcceptEncoding;
  return typeof kept === 'string' ? kept : (request.headers.get('accept-encoding') ?? '');
}

/** The Worker's side: `request` with its route attached, for `stub.fetch`. */
export function withRoute(request: Request, route: WireRoute): Request {
  const headers = new Headers(request.headers);
  headers.set(ROUTE_HEADER, JSON.stringify(route));
  // The local front's name for the request travels in the route (requestId), never to the origin.
  headers.delete('x-porthole-front-request');
  return new Request(request, { headers });
}

/** The Session object's side. Throws when the Worker attached no route (a bug, not a viewer's doing). */
export function readRoute(request: Request, session: string): TunnelRoute | DataRoute | TcpRoute | ViewerRoute {
  const raw = request.headers.get(ROUTE_HEADER);
  if (!raw) throw new Error('request reached the Session object without a route');
  const wire = JSON.parse(raw) as WireRoute;
  if (wire.kind === 'tunnel' || wire.kind === 'data' || wire.kind === 'tcp') return wire;
  // The Session object's one parse of the URL (a forwarded Request carries it as text).
  const url = new URL(request.url);
  return {
    kind: 'viewer',
    session,
    port: wire.port,
    ...baseOf(url),
    clientIp: request.headers.get('cf-connecting-ip'),
    url,
    ...(wire.requestId ? { requestId: wire.requestId } : {}),
    ...(typeof wire.acceptEncoding === 'string' ? { acceptEncoding: wire.acceptEncoding } : {}),
  };
}
