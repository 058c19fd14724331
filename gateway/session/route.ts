/**
 * What the Worker tells the Session DO about a request it forwards, in one
 * internal header. The Worker removes any copy a viewer sent before setting it.
 */
export const ROUTE_HEADER = 'x-porthole-route';

export type Route =
  | {
      kind: 'tunnel';
      session: string;
      /** Scheme and host of the bare domain, to build port URLs with. */
      base: { scheme: string; host: string };
    }
  | {
      kind: 'viewer';
      session: string;
      port: number;
      /** The public host the viewer used. */
      host: string;
      scheme: string;
      clientIp: string | null;
    };

export function withRoute(request: Request, route: Route): Request {
  const headers = new Headers(request.headers);
  headers.set(ROUTE_HEADER, JSON.stringify(route));
  return new Request(request, { headers });
}

export function readRoute(request: Request): Route {
  const raw = request.headers.get(ROUTE_HEADER);
  if (!raw) throw new Error('request reached the Session object without a route');
  return JSON.parse(raw) as Route;
}
