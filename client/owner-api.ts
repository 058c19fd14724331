/**
 * The gateway's owner API, as the client calls it: the session token is
 * traded for a short-lived owner token (kept until it nears expiry), which
 * then changes share controls, issues links and logs the owner in.
 */
import { decodeJwt } from 'jose';
import { callGateway } from './net/http';
import type { ApiDashboardLink, ApiLink, ApiLogin, ApiOwnerToken, ApiPort, Visibility } from '../protocol';

/** An answer of the gateway that is not a success; `status` and `code` are the gateway's. */
export class OwnerApiError extends Error {
  override readonly name = 'OwnerApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function unreachable(error: Error): OwnerApiError {
  return new OwnerApiError(502, 'gateway_unreachable', `cannot reach the gateway: ${error.message}`);
}

/** Renew the owner token when less than this is left of it. */
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
    this.#session = typeof session === 'string' && /^[a-z2-7]{16}$/.test(session) ? session : null;
  }

  /** The session the token names (the gateway refuses the tunnel of a token that names none). */
  get session(): string {
    if (this.#session === null) throw new OwnerApiError(401, 'unauthorized', 'the session token names no session');
    return this.#session;
  }

  async #call<T>(method: string, path: string, token: string, body?: unknown): Promise<T> {
    const url = new URL(`/api/sessions/${this.session}${path}`, this.#gateway);
    const { status, text } = await callGateway(
      url,
      method,
      token,
      body === undefined ? undefined : JSON.stringify(body),
      15_000,
    ).catch((error: Error) => {
      throw unreachable(error);
    });
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
    if (status < 200 || status >= 300) {
      const error = (parsed ?? {}) as { error?: string; message?: string };
      throw new OwnerApiError(
        status,
        error.error ?? 'gateway_error',
        error.message ?? `the gateway answered ${status}`,
      );
    }
    if (parsed === null) throw new OwnerApiError(502, 'bad_answer', 'the gateway answered something that is not JSON');
    return parsed as T;
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

  async ports(): Promise<ApiPort[]> {
    return (await this.#call<{ ports: ApiPort[] }>('GET', '/ports', await this.#token())).ports;
  }

  async share(port: number, visibility: Visibility): Promise<ApiPort> {
    return this.#call('PATCH', `/ports/${port}`, await this.#token(), { visibility });
  }

  async login(port: number, ttlSeconds?: number): Promise<ApiLogin> {
    return this.#call('POST', '/login', await this.#token(), { port, ...(ttlSeconds ? { ttl: ttlSeconds } : {}) });
  }

  /** A one-time link to the session's dashboard. */
  async dashboard(ttlSeconds?: number): Promise<ApiDashboardLink> {
    return this.#call('POST', '/dashboard', await this.#token(), ttlSeconds ? { ttl: ttlSeconds } : {});
  }

  async links(): Promise<ApiLink[]> {
    return (await this.#call<{ links: ApiLink[] }>('GET', '/links', await this.#token())).links;
  }

  async link(port: number, options: { ttlSeconds?: number; label?: string } = {}): Promise<ApiLink> {
    return this.#call('POST', '/links', await this.#token(), {
      port,
      ...(options.ttlSeconds ? { ttl: options.ttlSeconds } : {}),
      ...(options.label ? { label: options.label } : {}),
    });
  }

  async revoke(id: string): Promise<ApiLink> {
    return this.#call('DELETE', `/links/${encodeURIComponent(id)}`, await this.#token());
  }
}
