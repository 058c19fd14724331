/** Header rules on the client side: what the origin sees, what goes back. */
import type { HeaderPairs, OpenRequest } from '../../protocol';

/**
 * The request head for the origin, as Node's flat raw-header array. By default
 * Host is `localhost:<port>` (dev servers such as Vite reject unknown hosts);
 * the public host is always in X-Forwarded-Host, set by the gateway.
 */
export function originRequestHeaders(open: OpenRequest, preserveHost: boolean): string[] {
  const flat: string[] = ['host', preserveHost ? open.host : `localhost:${open.port}`];
  for (const [name, value] of open.headers) {
    if (name.toLowerCase() === 'host') continue;
    flat.push(name, value);
  }
  return flat;
}

/** Node's rawHeaders ([name, value, …]) as pairs, repeated names kept apart. */
export function rawToPairs(raw: string[]): HeaderPairs {
  const pairs: HeaderPairs = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i] as string, raw[i + 1] as string]);
  return pairs;
}
