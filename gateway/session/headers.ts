/**
 * Header rules at the gateway: what crosses the tunnel towards the origin and
 * back. Hop-by-hop headers (RFC 9110 §7.6.1) stay on their own connection.
 */
import type { HeaderPairs } from '../../protocol';
import { headersTooLarge } from '../errors';
import { badRequest } from '../control-errors';
import { fromByteString, toByteString } from './header-bytes';
import { appCookies, setCookieAllowed } from '../access/cookies';
import { TOKEN_HEADER } from '../access/credentials';
import { ROUTE_HEADER } from '../routing/route';

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

/** Porthole's own headers (`X-Porthole-Error`, `-Warning`…): never taken from an origin. */
const PORTHOLE_PREFIX = 'x-porthole-';

/**
 * Headers that describe the viewer's connection, replaced by X-Forwarded-*:
 * those the edge adds (`CF-*`, `CDN-Loop`), and every header a proxy uses to
 * claim a client address or host (`True-Client-IP`, `X-Client-IP`,
 * `X-Real-IP`, `Forwarded`, `X-Cluster-Client-IP`, `Fastly-Client-IP`…): sent
 * by a viewer they are lies an app might believe (rate limits, audit logs,
 * allow-lists by address), so none reaches the origin as sent.
 */
const EDGE =
  /^(cf-|x-forwarded-|cdn-loop$|forwarded$|x-real-ip$|true-client-ip$|x-client-ip$|client-ip$|x-cluster-client-ip$|fastly-client-ip$|x-originating-ip$|x-remote-ip$|x-remote-addr$|x-original-forwarded-for$)/;

function connectionTokens(headers: Headers): Set<string> {
  const value = headers.get('connection') ?? '';
  return new Set(
    value
      .split(',')
      .map((t) => t.trim().toLowerCase())
      .filter(Boolean),
  );
}

/** What the gateway tells the origin about the viewer's request. */
export interface ForwardInfo {
  /** The public host the viewer used (X-Forwarded-Host). */
  host: string;
  /** `http` or `https` (X-Forwarded-Proto). */
  scheme: string;
  /** The viewer's address as the edge saw it (X-Forwarded-For), if known. */
  clientIp: string | null;
  /** A WebSocket upgrade: Upgrade passes, with `Connection: upgrade`. */
  upgrade: boolean;
  /**
   * The viewer's own Accept-Encoding (`''`: it sent none), sent instead of the request's header,
   * which the runtime replaced with its own (routing/route.ts viewerAcceptEncoding); absent: the
   * request's header as it is.
   */
  acceptEncoding?: string;
  /**
   * The verified email of a viewer admitted by identity, sent as EMAIL_HEADER when the gateway
   * forwards it (FORWARD_EMAIL=on, docs/identity.md); any EMAIL_HEADER the viewer sent is removed.
   */
  email?: string;
}

/** The header that tells the origin who the viewer is, only ever set by the gateway. */
export const EMAIL_HEADER = 'x-porthole-email';

/** Largest request head (request line + headers) forwarded to an origin. */
export const MAX_HEAD_BYTES = 32 * 1024;

/**
 * The viewer's headers as the origin should see them (Host is set by the
 * client) and the viewer's own Accept-Encoding, without any Porthole credential: the token header goes, and the
 * Cookie header keeps only the app's own cookies (cookies.ts appCookies).
 * Throws 431 when the request head as forwarded is over MAX_HEAD_BYTES:
 * Porthole's own cookies (a page may have planted many copies) do not count,
 * since they never reach the origin; the app's cookies do, as they are.
 */
/** Control characters a field value may not hold (all but HTAB), RFC 9110 section 5.5. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_BYTE = /[\x00-\x08\x0a-\x1f\x7f]/;

export function requestHeaders(request: Request, url: URL, info: ForwardInfo): HeaderPairs {
  const headers = request.headers;
  const listed = connectionTokens(headers);
  const out: HeaderPairs = [];
  headers.forEach((value, name) => {
    // `X_Forwarded_For` too: CGI-style servers (PHP, Rack, WSGI) read `_` as `-`. `CF-*` covers Cloudflare
    // Access's assertion and email headers: the app never gets a credential of the viewer's.
    const dashed = name.replace(/_/g, '-');
    if (
      name === 'host' ||
      name === ROUTE_HEADER ||
      name === TOKEN_HEADER ||
      dashed === EMAIL_HEADER ||
      EDGE.test(dashed)
    ) {
      return;
    }
    if (name === 'accept-encoding' && info.acceptEncoding !== undefined) return;
    if (HOP_BY_HOP.has(name) || listed.has(name)) {
      if (!(info.upgrade && name === 'upgrade')) return;
    }
    if (name === 'cookie') {
      const kept = appCookies(request);
      if (kept !== null) out.push([name, toByteString(kept)]);
      return;
    }
    // A control byte (RFC 9110 5.5: CTLs other than HTAB are invalid in a field value) is refused here,
    // clearly, as nginx does: Node's HTTP client in the session would refuse the whole request anyway.
    if (CONTROL_BYTE.test(value)) throw badRequest(`The request header ${name} holds a control character.`);
    out.push([name, toByteString(value)]);
  });
  if (info.acceptEncoding) out.push(['accept-encoding', toByteString(info.acceptEncoding)]);
  if (info.upgrade) out.push(['connection', 'upgrade']);
  out.push(['x-forwarded-host', info.host], ['x-forwarded-proto', info.scheme]);
  if (info.clientIp) out.push(['x-forwarded-for', info.clientIp]);
  if (info.email) out.push([EMAIL_HEADER, toByteString(info.email)]);
  let size = request.method.length + url.pathname.length + url.search.length + 12;
  for (const [name, value] of out) size += name.length + value.length + 4;
  if (size > MAX_HEAD_BYTES) throw headersTooLarge(MAX_HEAD_BYTES);
  return out;
}

/**
 * The origin's response headers as the viewer of `host` should see them:
 * every header and every Set-Cookie, except
 * - hop-by-hop ones and those the origin's Connection lists;
 * - a Set-Cookie with a reserved name or a Domain other than `host`
 *   (cookies.ts setCookieAllowed): the app may not set, overwrite or clear
 *   Porthole's cookies, nor plant cookies on other previews;
 * - `Clear-Site-Data`, which would log the owner out of the whole host;
 * - `X-Porthole-*` (such as `X-Porthole-Error`, which tools such as
 *   `porthole wait` read as "this answer is Porthole's, not the app's"): the
 *   app may not forge Porthole's own markers;
 * - any the runtime refuses, and any whose bytes are not UTF-8 (header-bytes.ts) (logged).
 * The dropped ones are expected of a hostile app and not logged.
 * @param host the viewer's host name, without a port (`8000-….porthole.localhost`).
 */
export function responseHeaders(pairs: HeaderPairs, host: string): Headers {
  const headers = new Headers();
  const listed = new Set<string>();
  for (const [name, value] of pairs) {
    if (name.toLowerCase() === 'connection') {
      for (const token of value.split(',')) listed.add(token.trim().toLowerCase());
    }
  }
  for (const [name, value] of pairs) {
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || listed.has(lower) || lower === 'clear-site-data') continue;
    if (lower.startsWith(PORTHOLE_PREFIX)) continue;
    const text = fromByteString(value);
    if (text === null) {
      // Bytes the runtime cannot send as they are (it writes text as UTF-8): dropped, not altered (header-bytes.ts).
      console.warn(`porthole: dropped the origin's response header ${JSON.stringify(name)}: its value is not UTF-8`);
      continue;
    }
    // Checked as the text the viewer gets (and the gateway later reads back, trimmed of any Unicode space):
    // a reserved name behind a UTF-8 space (NBSP, BOM, U+3000) is still a reserved name.
    if (lower === 'set-cookie' && !setCookieAllowed(text, host)) continue;
    try {
      headers.append(name, text);
    } catch (error) {
      // A header the runtime refuses (bad characters) is dropped, not fatal; the operator hears of it.
      console.warn(`porthole: dropped the origin's response header ${JSON.stringify(name)}:`, String(error));
    }
  }
  return headers;
}
