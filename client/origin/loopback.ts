/**
 * Where a local origin is dialled: a dev server may listen on IPv4 or on IPv6 loopback only, so both
 * are tried, in this order, by the HTTP and the WebSocket proxy alike.
 */

/** Loopback addresses tried in order when the one before refuses the connection. */
export const LOOPBACK = ['127.0.0.1', '::1'] as const;

/** `address` as the host part of a URL: an IPv6 literal goes in brackets (RFC 3986 §3.2.2). */
export function urlHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
