/**
 * Header rules at the gateway: what crosses the tunnel towards the origin and
 * back. Hop-by-hop headers (RFC 9110 §7.6.1) stay on their own connection.
 */
import type { HeaderPairs } from '../../protocol';
import { ROUTE_HEADER } from './route';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** Headers the edge adds that describe the viewer's connection, replaced by X-Forwarded-*. */
const EDGE = /^(cf-|x-forwarded-|x-real-ip$|cdn-loop$|forwarded$)/;

function connectionTokens(headers: Headers): Set<string> {
  const value = headers.get('connection') ?? '';
  return new Set(
    value
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  );
}

export interface ForwardInfo {
  host: string;
  scheme: string;
  clientIp: string | null;
  upgrade: boolean;
}

/** The viewer's headers as the origin should see them (Host is set by the client). */
export function requestHeaders(headers: Headers, info: ForwardInfo): HeaderPairs {
  const listed = connectionTokens(headers);
  const out: HeaderPairs = [];
  headers.forEach((value, name) => {
    if (name === 'host' || name === ROUTE_HEADER || EDGE.test(name)) return;
    if (HOP_BY_HOP.has(name) || listed.has(name)) {
      if (!(info.upgrade && name === 'upgrade')) return;
    }
    out.push([name, value]);
  });
  if (info.upgrade) out.push(['connection', 'upgrade']);
  out.push(['x-forwarded-host', info.host], ['x-forwarded-proto', info.scheme]);
  if (info.clientIp) out.push(['x-forwarded-for', info.clientIp]);
  return out;
}

/** The origin's response headers as the viewer should see them. */
export function responseHeaders(pairs: HeaderPairs): Headers {
  const headers = new Headers();
  const listed = new Set<string>();
  for (const [name, value] of pairs) {
    if (name.toLowerCase() === 'connection') {
      for (const token of value.split(',')) listed.add(token.trim().toLowerCase());
    }
  }
  for (const [name, value] of pairs) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || listed.has(lower)) continue;
    try {
      headers.append(name, value);
    } catch {
      // A header the runtime refuses (bad characters) is dropped, not fatal.
    }
  }
  return headers;
}

/** Size of a request head as it arrived: request line plus header lines. */
export function headSize(request: Request, url: URL): number {
  let size = request.method.length + url.pathname.length + url.search.length + 12;
  request.headers.forEach((value, name) => {
    size += name.length + value.length + 4;
  });
  return size;
}
