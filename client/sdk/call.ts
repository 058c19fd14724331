/**
 * One JSON call to the gateway's control domain, as every SDK method makes it: the gateway's
 * refusal as it sent it (PortholeApiError with its status and code), or 502 `gateway_unreachable`
 * when no answer came (refused connection, DNS, timeout).
 */
import { PortholeApiError, requestJson } from '../net/http';

/** Milliseconds one call may take by default (the whole answer). */
export const CALL_TIMEOUT_MS = 15_000;

/** Where and how the SDK calls: shared by PortholeAdmin and PortholeSession. */
export interface GatewayOptions {
  /** The gateway's control-domain base URL, http:// or https:// (e.g. `https://porthole.example.com`). */
  gateway: string;
  /** Milliseconds one call may take (default CALL_TIMEOUT_MS); past it the call rejects with 502 `gateway_unreachable`. */
  timeoutMs?: number;
}

/** The gateway's base URL, checked: a TypeError for anything but an absolute http(s) URL. */
export function gatewayUrl(gateway: string): URL {
  let url: URL;
  try {
    url = new URL(gateway);
  } catch {
    throw new TypeError(`gateway must be an http:// or https:// URL, got '${gateway}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`gateway must be an http:// or https:// URL, got '${gateway}'`);
  }
  return url;
}

/** The refusal for a gateway that did not answer (the socket's or the timeout's error). */
export function unreachable(gateway: URL, error: Error): PortholeApiError {
  return new PortholeApiError(
    502,
    'gateway_unreachable',
    `cannot reach the gateway at ${gateway.origin}: ${error.message}`,
  );
}

/** A non-empty token, or a TypeError naming the option. */
export function requiredToken(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') throw new TypeError(`${name} is required (a non-empty string)`);
  return value;
}

/** One call: `method` `path` on `gateway` with `token` as Bearer and `body` as JSON. */
export async function call<T>(
  gateway: URL,
  timeoutMs: number,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<T> {
  const url = new URL(path, gateway);
  return requestJson<T>({ method, url, token, body, timeoutMs }).catch((error: Error) => {
    throw error instanceof PortholeApiError ? error : unreachable(gateway, error);
  });
}

/** `{ttl}` for a body when `ttlSeconds` is given, else nothing (the gateway's default). */
export function ttlField(ttlSeconds: number | undefined): { ttl?: number } {
  return ttlSeconds === undefined ? {} : { ttl: ttlSeconds };
}
