/**
 * What the local front server (front.ts) forwards to workerd for one viewer request: the absolute
 * target (workerd's proxy-style socket takes the scheme and authority from it), the header lines,
 * and how the body is framed. Pure: the rules live here, the sockets in front.ts.
 *
 * Rules (RFC 9112 and RFC 9110 section 7.6.1):
 * - more than one Host line, a missing Host, or an authority that is not a host[:port] is a 400;
 * - an absolute-form target (`GET http://host/path`) names the authority; a Host that names another
 *   is a 400;
 * - hop-by-hop fields (Connection, the fields it names, Keep-Alive, Proxy-Connection) stay on this
 *   hop; Upgrade and `Connection: upgrade` are kept for an upgrade;
 * - `CF-Connecting-IP` is always the connecting address (a viewer's own value is dropped), and the
 *   runtime's `MF-CF-Blob` (which would set `request.cf`) is never taken from a viewer;
 * - the body keeps its framing: Content-Length, chunked, or none at all.
 */

/** Largest response head read from workerd, bytes (the gateway itself stops at 64 KiB). */
export const MAX_RESPONSE_HEAD = 128 * 1024;

/** A request the front answers itself: status, stable code, reason. */
export class FrontRefusal extends Error {
  override readonly name = 'FrontRefusal';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** How the viewer framed its body: by Content-Length, chunked, or no body at all (RFC 9112 6.3). */
export type Framing = 'length' | 'chunked' | 'none';

export interface ForwardedRequest {
  /** Absolute URL for workerd's proxy-style socket: `<scheme>://<authority><path-and-query>`. */
  target: string;
  /** The host[:port] the request is for (its Host). */
  authority: string;
  /** The front's name for the request (X-Porthole-Front-Request), when it gave one. */
  requestId?: string;
  /** Header lines as a flat `[name, value, …]` list, raw bytes as latin1 strings (Node's rawHeaders). */
  headers: string[];
  framing: Framing;
}

/** What the front needs of a parsed request (Node's IncomingMessage has these). */
export interface IncomingHead {
  url?: string | undefined;
  rawHeaders: string[];
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding']);
/**
 * Headers only the front sets: the connecting address, Miniflare's request.cf carrier, and its own
 * word to the gateway that a viewer left (gateway/routing/disconnect.ts).
 */
const FRONT_ONLY = new Set(['cf-connecting-ip', 'mf-cf-blob', 'x-porthole-front-request', 'x-porthole-front-left']);
/** RFC 3986 reg-name or IPv4, or an IP literal in brackets, with an optional port. */
const AUTHORITY = /^(?:[A-Za-z0-9._~%!$&'()*+,;=-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{0,5})?$/;
const ABSOLUTE_FORM = /^(https?):\/\/([^/?#]*)(.*)$/i;

/** The connecting address as the edge would give it: an IPv4-mapped IPv6 address as plain IPv4. */
export function clientAddress(remote: string | undefined): string {
  if (!remote) return '';
  return remote.startsWith('::ffff:') && remote.includes('.') ? remote.slice(7) : remote;
}

/** Lowercased names listed in the Connection field(s): hop-by-hop by nomination (RFC 9110 7.6.1). */
function connectionOptions(raw: string[]): Set<string> {
  const named = new Set<string>();
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() !== 'connection') continue;
    for (const token of raw[i + 1]!.split(',')) if (token.trim()) named.add(token.trim().toLowerCase());
  }
  return named;
}

/** Whether a URL can have `authority` (a port up to 65535, valid percent escapes): workerd needs one. */
function parsesAsAuthority(authority: string): boolean {
  try {
    new URL(`http://${authority}/`);
    return true;
  } catch {
    return false;
  }
}

function authorityOf(head: IncomingHead): { authority: string; path: string } {
  const hosts: string[] = [];
  for (let i = 0; i < head.rawHeaders.length; i += 2) {
    if (head.rawHeaders[i]!.toLowerCase() === 'host') hosts.push(head.rawHeaders[i + 1]!);
  }
  if (hosts.length > 1) {
    throw new FrontRefusal(400, 'bad_request', 'The request has more than one Host header field (RFC 9112, 3.2).');
  }
  const url = head.url ?? '';
  const absolute = ABSOLUTE_FORM.exec(url);
  if (absolute && hosts[0] !== undefined && hosts[0].toLowerCase() !== absolute[2]!.toLowerCase()) {
    // RFC 9112 3.2.2 would take the target's; a disagreement is refused instead (a smuggling shape).
    throw new FrontRefusal(400, 'bad_request', 'The request target and the Host header field name different hosts.');
  }
  const authority = absolute ? absolute[2]! : hosts[0];
  const path = absolute ? absolute[3]! : url;
  if (authority === undefined || authority === '') {
    throw new FrontRefusal(400, 'bad_request', 'The request has no Host header field (RFC 9112, 3.2).');
  }
  if (!AUTHORITY.test(authority) || !parsesAsAuthority(authority)) {
    throw new FrontRefusal(400, 'bad_request', 'The Host header field is not a host name with an optional port.');
  }
  if (path === '' || path.startsWith('?')) return { authority, path: `/${path}` };
  if (!path.startsWith('/')) {
    throw new FrontRefusal(400, 'bad_request', 'The request target must be a path (origin-form) or an http(s) URL.');
  }
  return { authority, path };
}

/**
 * The request to forward for `head`, arriving over `scheme` from `remoteAddress`.
 * @param upgrade true for a request Node handed over as an upgrade (Upgrade and Connection kept).
 * @throws FrontRefusal (400 bad_request) for the Host and target rules above.
 */
export function forwardRequest(
  head: IncomingHead,
  scheme: 'http' | 'https',
  remoteAddress: string | undefined,
  upgrade = false,
  requestId?: string,
): ForwardedRequest {
  const { authority, path } = authorityOf(head);
  const nominated = connectionOptions(head.rawHeaders);
  const headers: string[] = ['Host', authority];
  let framing: Framing = 'none';
  for (let i = 0; i < head.rawHeaders.length; i += 2) {
    const name = head.rawHeaders[i]!;
    const lower = name.toLowerCase();
    const value = head.rawHeaders[i + 1]!;
    if (lower === 'host' || FRONT_ONLY.has(lower)) continue;
    if (lower === 'content-length') {
      // Kept whatever Connection nominates: without it the body would reach workerd as a next request.
      framing = 'length';
      headers.push(name, value);
      continue;
    }
    if (lower === 'transfer-encoding') {
      // Node's parser has refused anything but a final `chunked`; a coding before it is not kept (RFC 9112 6.1).
      if (value.trim().toLowerCase() !== 'chunked') {
        throw new FrontRefusal(501, 'not_implemented', 'Only the chunked transfer coding is supported.');
      }
      framing = 'chunked';
      headers.push('Transfer-Encoding', 'chunked');
      continue;
    }
    if (lower === 'upgrade') {
      if (upgrade) headers.push(name, value);
      continue;
    }
    if (HOP_BY_HOP.has(lower) || nominated.has(lower)) continue;
    headers.push(name, value);
  }
  if (upgrade) headers.push('Connection', 'Upgrade');
  const address = clientAddress(remoteAddress);
  if (address) headers.push('CF-Connecting-IP', address);
  if (requestId !== undefined) headers.push('X-Porthole-Front-Request', requestId);
  const target = `${scheme}://${authority}${path}`;
  return { target, authority, headers, framing, ...(requestId === undefined ? {} : { requestId }) };
}

/** A response's header lines minus the hop-by-hop ones, which Node's server writes for its own connection. */
export function responseHeaders(raw: string[]): string[] {
  const nominated = connectionOptions(raw);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (HOP_BY_HOP.has(lower) || nominated.has(lower)) continue;
    out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}
