/**
 * The gateway's owner API, as the client calls it: the session token is
 * traded for a short-lived owner token (kept until it nears expiry), which
 * then changes share controls, issues links and logs the owner in. Every
 * method rejects with an ApiError: the gateway's refusal as it sent it, or
 * 502 `gateway_unreachable`. TTLs are in seconds; the gateway applies its
 * own default and bounds when one is omitted.
 */
import { decodeJwt } from 'jose';
import { ApiError, requestJson } from './net/http';
import {
  type ApiDashboardLink,
  type ApiLink,
  type ApiLogin,
  type ApiOwnerToken,
  type ApiPort,
  isSessionId,
  type Visibility,
} from '../protocol';

function unreachable(error: Error): ApiError {
  return new ApiError(502, 'gateway_unreachable', `cannot reach the gateway: ${error.message}`);
}

/** Milliseconds an owner API call may take. */
const CALL_TIMEOUT_MS = 15_000;
/** Renew the owner token when less than this is left of it, in milliseconds. */
const RENEW_BEFORE_MS = 5 * 60_000;

export class OwnerApi {
  readonly #gateway: string;
  readonly #sessionToken: string;
  readonly #session: string | null;
  #owner: Promise<ApiOwnerToken> | null = null;

  constructor(gateway: string, sessionToken: string) {
    this.#gateway = gateway;
    this.#sessionToken = sessionToken;
    // Only to build URLs: the gateway verifies the token on every call.
    let session: unknown;
    try {
      session = decodeJwt(sessionToken).sub;
    } catch {
      session = undefined;
    }
    this.#session = isSessionId(session) ? session : null;
  }

  /** The session the token names; throws an ApiError (401) when it names none (the gateway refuses such a token anyway). */
  get session(): string {
    if (this.#session === null) throw new ApiError(401, 'unauthorized', 'the session token names no session');
    return this.#session;
  }

  /** One owner API call; rejects with an ApiError (the gateway's refusal, or 502 when it cannot be reached). */
  async #call<T>(method: string, path: string, token: string, body?: unknown): Promise<T> {
    const url = new URL(`/api/sessions/${this.session}${path}`, this.#gateway);
    return requestJson<T>({ method, url, token, body, timeoutMs: CALL_TIMEOUT_MS }).catch((error: Error) => {
      throw error instanceof ApiError ? error : unreachable(error);
    });
  }

  /** A fresh owner token (for `porthole token`, or tools that send X-Porthole-Token). */
  ownerToken(ttlSeconds?: number): Promise<ApiOwnerToken> {
    return this.#call('POST', '/owner-token', this.#sessionToken, ttlSeconds === undefined ? {} : { ttl: ttlSeconds });
  }

  /** The client's own owner token, renewed before it expires. */
  async #token(): Promise<string> {
    const current = this.#owner ? await this.#owner.catch(() => null) : null;
    if (!current || Date.parse(current.expiresAt) - Date.now() < RENEW_BEFORE_MS) {
      this.#owner = this.ownerToken();
      this.#owner.catch(() => {
        this.#owner = null;
      });
    }
    return (await (this.#owner as Promise<ApiOwnerToken>)).token;
  }

  /** Every port of the session, with its URL and visibility. */
  async ports(): Promise<ApiPort[]> {
    return (await this.#call<{ ports: ApiPort[] }>('GET', '/ports', await this.#token())).ports;
  }

  /** Set who may open `port`; applies to the next request. Resolves with the port as it is now. */
  async share(port: number, visibility: Visibility): Promise<ApiPort> {
    return this.#call('PATCH', `/ports/${port}`, await this.#token(), { visibility });
  }

  /** A one-time link that logs a browser in as the owner of `port`'s host, valid `ttlSeconds`. */
  async login(port: number, ttlSeconds?: number): Promise<ApiLogin> {
    return this.#call('POST', '/login', await this.#token(), { port, ...(ttlSeconds ? { ttl: ttlSeconds } : {}) });
  }

  /** A one-time link to the session's dashboard. */
  async dashboard(ttlSeconds?: number): Promise<ApiDashboardLink> {
    return this.#call('POST', '/dashboard', await this.#token(), ttlSeconds ? { ttl: ttlSeconds } : {});
  }

  /** The session's reviewer links that are still valid (not expired, not revoked). */
  async links(): Promise<ApiLink[]> {
    return (await this.#call<{ links: ApiLink[] }>('GET', '/links', await this.#token())).links;
  }

  /** A reviewer link for `port` (it opens the port while its visibility is `link`), valid `ttlSeconds`. */
  async link(port: number, options: { ttlSeconds?: number; label?: string } = {}): Promise<ApiLink> {
    return this.#call('POST', '/links', await this.#token(), {
      port,
      ...(options.ttlSeconds ? { ttl: options.ttlSeconds } : {}),
      ...(options.label ? { label: options.label } : {}),
    });
  }

  /** Revoke the reviewer link `id` at once; resolves with the link revoked. */
  async revoke(id: string): Promise<ApiLink> {
    return this.#call('DELETE', `/links/${encodeURIComponent(id)}`, await this.#token());
  }
}
