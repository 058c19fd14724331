/**
 * Who a viewer is, for the per-viewer share of a session's streams (viewers.ts): one client
 * address, an IPv6 address by its /64, and the wider network (/48) one subscriber may spread over.
 */
/** The key of requests that arrive without a client address (one shared bucket). */
export const UNKNOWN_VIEWER = 'unknown';

/**
 * The viewer a client address belongs to: an IPv4 address as it is (also when
 * written as IPv6, `::ffff:a.b.c.d`), an IPv6 address by its /64 prefix (one
 * subscriber's network, which hands its hosts any address in it), no address
 * UNKNOWN_VIEWER.
 * @param clientIp the edge's `CF-Connecting-IP`, or null.
 */
export function viewerKey(clientIp: string | null): string {
  const ip = clientIp?.trim().toLowerCase() ?? '';
  if (!ip) return UNKNOWN_VIEWER;
  if (!ip.includes(':')) return ip;
  // An IPv4 address written as IPv6 (`::ffff:198.51.100.1`) is that IPv4 viewer, not the /64 of them all.
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(ip);
  if (mapped) return mapped[1] as string;
  const [head = '', tail] = ip.split('::', 2);
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // An embedded IPv4 tail (`::ffff:1.2.3.4`) stands for two groups; only the first four groups matter here.
  const missing = 8 - left.length - right.length - (right.at(-1)?.includes('.') ? 1 : 0);
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right];
  const prefix = groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, ''));
  return `${prefix.join(':')}::/64`;
}

/**
 * The wider network a viewer key belongs to, counted too: for an IPv6 /64, its /48 (the most an ISP
 * delegates to one subscriber, RFC 6177, who may use any /64 of it); none for IPv4 or no address.
 */
export function viewerNetwork(key: string): string | null {
  if (!key.endsWith('::/64')) return null;
  return `${key.slice(0, -'::/64'.length).split(':').slice(0, 3).join(':')}::/48`;
}

/** A network (viewerNetwork) may hold this many times VIEWER_MAX_STREAMS while the session is busy. */
export const NETWORK_SHARES = 2;
