/**
 * When the origin sees `Host: localhost:<port>` (not --preserve-host), what depends on the host is
 * rewritten to match, both ways, as nginx's proxy_redirect does:
 * - requests: an `Origin`, `Referer` or WebDAV `Destination` (RFC 4918 10.3) naming the preview's
 *   own public origin (scheme, host and port exactly) names `http://localhost:<port>` instead, so
 *   the app's same-origin checks hold;
 *   any other origin (a sibling preview, another site) passes as sent: a cross-site request never
 *   becomes same-site;
 * - responses: a `Location`, `Content-Location` or `Refresh` URL naming the port's local origin
 *   (`http(s)://localhost:<port>`, `127.0.0.1:<port>`, `[::1]:<port>`) names the public origin, so
 *   a redirect built from Host stays on the preview.
 */
import type { HeaderPairs, OpenRequest } from '../../protocol';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The preview's public origin: the gateway's X-Forwarded-Proto (it replaces the viewer's) and the public host. */
export function publicOrigin(open: OpenRequest): string {
  const proto = open.headers.find(([name]) => name.toLowerCase() === 'x-forwarded-proto')?.[1] ?? 'https';
  return `${proto.trim().toLowerCase()}://${open.host.toLowerCase()}`;
}

/** The origin the app believes it is served at, as its Host says. */
export const localOrigin = (port: number) => `http://localhost:${port}`;

/** Request headers whose value is a URL the app may compare with its own origin. */
const ORIGIN_NAMING = new Set(['origin', 'referer', 'destination']);

/** The viewer's request header as the origin should see it (only Origin, Referer and Destination change). */
export function originRequestValue(name: string, value: string, open: OpenRequest): string {
  if (!ORIGIN_NAMING.has(name.toLowerCase())) return value;
  // The whole origin, any case, followed by nothing or by a path, query or fragment: never a prefix of another host.
  const own = new RegExp(`^\\s*${escape(publicOrigin(open))}(?=$|[/?#])`, 'i');
  return value.replace(own, localOrigin(open.port));
}

/** The origin's response headers with URLs naming its local origin mapped to the public one. */
export function publicResponseHeaders(pairs: HeaderPairs, open: OpenRequest): HeaderPairs {
  const local = `https?://(?:localhost|127\\.0\\.0\\.1|\\[::1\\]):${open.port}(?=$|[/?#])`;
  const url = new RegExp(`^\\s*${local}`, 'i');
  const refresh = new RegExp(`(;\\s*url\\s*=\\s*['"]?)${local}`, 'i');
  const to = publicOrigin(open);
  return pairs.map(([name, value]) => {
    const lower = name.toLowerCase();
    if (lower === 'location' || lower === 'content-location') return [name, value.replace(url, to)];
    if (lower === 'refresh') return [name, value.replace(refresh, `$1${to}`)];
    return [name, value];
  });
}
