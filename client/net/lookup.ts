/**
 * Name resolution for connections to the gateway. `localhost` and every name
 * under `.localhost` are loopback (RFC 6761 §6.3): browsers and curl resolve
 * them so themselves, Node's resolver does not. The local gateway lives at
 * `porthole.localhost` and its previews at `<port>-<sig>.<session>.localhost`
 * (any depth under `localhost`), so the client resolves those names to
 * 127.0.0.1 and asks the system resolver for everything else.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';

type Callback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export function isLoopbackName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/** A `lookup` for http.request, https.request and ws (same signature as dns.lookup). */
export function lookup(hostname: string, options: { all?: boolean } | number, callback: Callback): void {
  const all = typeof options === 'object' && options.all === true;
  if (isLoopbackName(hostname)) {
    if (all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
    else callback(null, '127.0.0.1', 4);
    return;
  }
  dnsLookup(hostname, typeof options === 'object' ? { ...options, all } : { family: options, all }, callback as never);
}
