/** Header rules on the client side: what the origin sees, what goes back. */
import type { HeaderPairs, OpenRequest } from '../../protocol';
import { originRequestValue } from './host-rewrite';

/**
 * The Host the origin sees: `localhost:<port>` by default (dev servers such as Vite reject unknown
 * hosts), the viewer's public host when `preserveHost`. The public host is always in
 * X-Forwarded-Host, set by the gateway.
 */
export function originHost(open: OpenRequest, preserveHost: boolean): string {
  return preserveHost ? open.host : `localhost:${open.port}`;
}

/**
 * The request head for the origin, as Node's flat raw-header array: Host as originHost, the rest as
 * sent, except that with Host rewritten an Origin or Referer naming the public origin names the local
 * one (host-rewrite.ts).
 */
export function originRequestHeaders(open: OpenRequest, preserveHost: boolean): string[] {
  const flat: string[] = ['host', originHost(open, preserveHost)];
  for (const [name, value] of open.headers) {
    if (name.toLowerCase() === 'host') continue;
    flat.push(name, preserveHost ? value : originRequestValue(name, value, open));
  }
  return flat;
}

/** Node's rawHeaders ([name, value, …]) as pairs, repeated names kept apart. */
export function rawToPairs(raw: string[]): HeaderPairs {
  const pairs: HeaderPairs = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i] as string, raw[i + 1] as string]);
  return pairs;
}
