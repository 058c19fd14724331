/**
 * The gateway's owner API, as the client calls it: the session token is
 * traded for a short-lived owner token (kept until it nears expiry), which
 * then changes share controls, issues links and logs the owner in. After a
 * "sign out everywhere" (401 `signed_out`) the token is traded anew, once
 * per call: the session token keeps working. Every
 * method rejects with a PortholeApiError: the gateway's refusal as it sent it, or
 * 502 `gateway_unreachable`. TTLs are in seconds; the gateway applies its
 * own default and bounds when one is omitted.
 */
import { decodeJwt } from 'jose';
import { PortholeApiError, requestJson } from './net/http';
import {
  type ApiDashboardLink,
  type ApiLink,
  type ApiLogin,
  type ApiOwnerToken,
  type ApiPort,
  type ApiSignOut,
  isSessionId,
  type Visibility,
} from '../protocol';

function unreachable(error: Error): PortholeApiError {
  return new PortholeApiError(502, 'gateway_unreachable', `cannot reach the gateway: ${error.message}`);
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

  /** The session the token names; throws a PortholeApiError (401) when it names none (the gateway refuses such a token anyway). */
  get session(): string {
    if (this.#session === null) throw new PortholeApiError(401, 'unauthorized', 'the session token names no session');
    return this.#session;
  }

  /** One owner API call; rejects with a PortholeApiError (the gateway's refusal, or 502 when it cannot be reached). */
  async #call<T>(method: string, path: string, token: string, body?: unknown): Promise<T> {
    const url = new URL(`/api/sessions/${this.session}${path}`, this.#gateway);
    return requestJson<T>({ method, url, token, body, timeoutMs: CALL_TIMEOUT_MS }).catch((error: Error) => {
      throw error instanceof PortholeApiError ? error : unreachable(error);
    });
  }

  /** A fresh owner token (for `porthole token`, or tools that send X-Porthole-Token). */
  ownerToken(ttlSeconds?: number): Promise<ApiOwnerToken> {
    return this.#call('POST', '/owner-token', this.#sessionToken, ttlSeconds === undefined ? {} : { ttl: ttlSeconds });
  }

  /**
   * One call with the client's own owner token; a token ended by "sign out everywhere" is dropped
   * and the call made once more with a fresh one.
   */
  async #owned<T>(method: string, path: string, body?: unknown): Promise<T> {
    try {
      return await this.#call<T>(method, path, await this.#token(), body);
    } catch (error) {
      if (!(error instanceof PortholeApiError && error.code === 'signed_out')) throw error;
      this.#owner = null;
      return this.#call<T>(method, path, await this.#token(), body);
    }
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
    return (await this.#owned<{ ports: ApiPort[] }>('GET', '/ports')).ports;
  }

  /** Set who may open `port`; applies to the next request. Resolves with the port as it is now. */
  async share(port: number, visibility: Visibility): Promise<ApiPort> {
    return this.#owned('PATCH', `/ports/${port}`, { visibility });
  }

  /** A one-time link that logs a browser in as the owner of `port`'s host, valid `ttlSeconds`. */
  async login(port: number, ttlSeconds?: number): Promise<ApiLogin> {
    return this.#owned('POST', '/login', { port, ...(ttlSeconds ? { ttl: ttlSeconds } : {}) });
  }

  /** A one-time link to the session's dashboard. */
  async dashboard(ttlSeconds?: number): Promise<ApiDashboardLink> {
    return this.#owned('POST', '/dashboard', ttlSeconds ? { ttl: ttlSeconds } : {});
  }

  /** The session's reviewer links that are still valid (not expired, not revoked). */
  async links(): Promise<ApiLink[]> {
    return (await this.#owned<{ links: ApiLink[] }>('GET', '/links')).links;
  }

  /** A reviewer link for `port` (it opens the port while its visibility is `link`), valid `ttlSeconds`. */
  async link(port: number, options: { ttlSeconds?: number; label?: string } = {}): Promise<ApiLink> {
    return this.#owned('POST', '/links', {
      port,
      ...(options.ttlSeconds ? { ttl: options.ttlSeconds } : {}),
      ...(options.label ? { label: options.label } : {}),
    });
  }

  /**
   * Sign out everywhere: the gateway revokes every owner token, login link and owner cookie of the
   * session (this client's own token too, which is then traded anew). The session token and the
   * tunnel keep working.
   */
  async signOutEverywhere(): Promise<ApiSignOut> {
    const result = await this.#owned<ApiSignOut>('POST', '/signout', {});
    this.#owner = null;
    return result;
  }

  /** Revoke the reviewer link `id` at once; resolves with the link revoked. */
  async revoke(id: string): Promise<ApiLink> {
    return this.#owned('DELETE', `/links/${encodeURIComponent(id)}`);
  }
}
