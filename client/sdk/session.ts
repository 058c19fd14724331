/**
 * One session, driven through the gateway's HTTP API: its state and end (`/api/sessions/<id>`), its
 * event feed, and the owner API (ports, visibility, reviewer links, login and dashboard links,
 * sign-out). The client itself uses it (`porthole connect`: agent.api); a platform's backend uses it
 * with the session token, or gets one for any session from PortholeAdmin.session(id).
 *
 * The owner API needs an owner token: the session's credential (session token or admin token) is
 * traded for one (`POST …/owner-token`), kept until it nears expiry, and traded anew once per call
 * after a "sign out everywhere" (401 `signed_out`). Every method rejects with a PortholeApiError:
 * the gateway's refusal as it sent it (status, code, message), or 502 `gateway_unreachable`. TTLs
 * are in seconds; omitted, the gateway's default (and its bounds: protocol/api.ts LINK_TTL,
 * LOGIN_TTL, OWNER_TTL).
 */
import { decodeJwt } from 'jose';
import type {
  ApiDashboardLink,
  ApiLink,
  ApiLogin,
  ApiOwnerToken,
  ApiPort,
  ApiPortRequested,
  ApiRevokedLink,
  ApiSession,
  ApiSessionEnded,
  ApiSignOut,
  ApiStatus,
} from '../../protocol/api';
import { isSessionId } from '../../protocol/ids';
import type { Visibility } from '../../protocol/payloads';
import { PortholeApiError } from '../net/http';
import { call, CALL_TIMEOUT_MS, type GatewayOptions, gatewayUrl, requiredToken, ttlField } from './call';
import { eventFeed, type EventsOptions, type PortholeEvent } from './events';

/** A session driven with its own session token (what `porthole connect` holds). */
export interface SessionTokenOptions extends GatewayOptions {
  sessionToken: string;
}

/** A session driven by the operator with the gateway's admin token (PortholeAdmin.session(id)). */
export interface SessionAdminOptions extends GatewayOptions {
  adminToken: string;
  /** The session's id (ApiCreatedSession.session). */
  session: string;
}

/** Renew the owner token when less than this is left of it, in milliseconds. */
const RENEW_BEFORE_MS = 5 * 60_000;

/** The session a session token names (read to build URLs only: the gateway verifies the token), or null. */
function sessionOfToken(token: string): string | null {
  let session: unknown;
  try {
    session = decodeJwt(token).sub;
  } catch {
    session = undefined;
  }
  return isSessionId(session) ? session : null;
}

export class PortholeSession {
  readonly #gateway: URL;
  readonly #timeoutMs: number;
  /** The session token, or the admin token: what the lifecycle routes, the feed and owner-token take. */
  readonly #credential: string;
  readonly #session: string | null;
  #owner: Promise<ApiOwnerToken> | null = null;

  /** @throws TypeError for a gateway that is not an http(s) URL, or a missing token or session id. */
  constructor(options: SessionTokenOptions | SessionAdminOptions) {
    this.#gateway = gatewayUrl(options.gateway);
    this.#timeoutMs = options.timeoutMs ?? CALL_TIMEOUT_MS;
    if ('adminToken' in options) {
      this.#credential = requiredToken(options.adminToken, 'adminToken');
      this.#session = requiredToken(options.session, 'session');
    } else {
      this.#credential = requiredToken(options.sessionToken, 'sessionToken');
      this.#session = sessionOfToken(this.#credential);
    }
  }

  /** The session's id; throws a PortholeApiError (401 `unauthorized`) when the session token names none. */
  get session(): string {
    if (this.#session === null) throw new PortholeApiError(401, 'unauthorized', 'the session token names no session');
    return this.#session;
  }

  #path(rest = ''): string {
    return `/api/sessions/${encodeURIComponent(this.session)}${rest}`;
  }

  /** A call with the session's own credential (session or admin token). */
  async #direct<T>(method: string, rest: string, body?: unknown): Promise<T> {
    return call<T>(this.#gateway, this.#timeoutMs, method, this.#path(rest), this.#credential, body);
  }

  /** The session's state: `GET /api/sessions/<id>`. 410 `session_ended` once it has ended. */
  info(): Promise<ApiSession> {
    return this.#direct('GET', '');
  }

  /**
   * End the session at once (`DELETE /api/sessions/<id>`): its tunnel closes, every URL answers 410,
   * its storage is deleted. 410 `session_ended` when it already had.
   */
  end(): Promise<ApiSessionEnded> {
    return this.#direct('DELETE', '');
  }

  /**
   * The session's event feed (events.ts): `for await (const e of s.events({signal}))`, narrowing on
   * `e.type`. Its first event is a `snapshot`; the feed ends after `session.ended` or `feed.expired`.
   */
  events(options: EventsOptions = {}): AsyncIterable<PortholeEvent> {
    return eventFeed(new URL(this.#path('/events'), this.#gateway), this.#credential, options);
  }

  /** A fresh owner token (for `porthole token`, or tools that send X-Porthole-Token), valid `ttlSeconds`. */
  ownerToken(options: { ttlSeconds?: number } = {}): Promise<ApiOwnerToken> {
    return this.#direct('POST', '/owner-token', ttlField(options.ttlSeconds));
  }

  /** The SDK's own owner token, renewed before it expires. */
  async #token(): Promise<string> {
    const current = this.#owner ? await this.#owner.catch(() => null) : null;
    if (!current || Date.parse(current.expiresAt) - Date.now() < RENEW_BEFORE_MS) {
      const minted = this.ownerToken();
      this.#owner = minted;
      minted.catch(() => {
        if (this.#owner === minted) this.#owner = null;
      });
    }
    return (await (this.#owner as Promise<ApiOwnerToken>)).token;
  }

  /** An owner API call; a token ended by "sign out everywhere" is dropped and the call made once more. */
  async #owned<T>(method: string, rest: string, body?: unknown): Promise<T> {
    const once = async () =>
      call<T>(this.#gateway, this.#timeoutMs, method, this.#path(rest), await this.#token(), body);
    try {
      return await once();
    } catch (error) {
      if (!(error instanceof PortholeApiError && error.code === 'signed_out')) throw error;
      this.#owner = null;
      return once();
    }
  }

  /** The tunnel at a glance: connected or not, streams in flight and waiting. */
  status(): Promise<ApiStatus> {
    return this.#owned('GET', '/status');
  }

  /** Every port of the session, with its URL and visibility. */
  async ports(): Promise<ApiPort[]> {
    return (await this.#owned<{ ports: ApiPort[] }>('GET', '/ports')).ports;
  }

  /**
   * Set who may open `port` (`private`, `org`, `link`, `public`); the next request obeys it. Resolves
   * with the port as it is now (`listening: false` when nothing listens on it yet). 409
   * `org_policy_missing` for `org` without a policy; 429 when changed too often.
   */
  setVisibility(port: number, visibility: Visibility): Promise<ApiPort> {
    return this.#owned('PATCH', `/ports/${port}`, { visibility });
  }

  /**
   * Ask the session's client to expose `port` (any 1–65535), with an optional label and visibility;
   * the client applies it and `ports()` (or the feed's `port.opened`) shows the result. 409
   * `offline` without a tunnel; 409 `too_many_ports` when the table is full.
   */
  expose(port: number, options: { label?: string; visibility?: Visibility } = {}): Promise<ApiPortRequested> {
    return this.#owned('POST', '/ports', { port, ...options });
  }

  /** Ask the session's client to stop exposing `port`, whatever exposed it. 409 `offline` without a tunnel. */
  unexpose(port: number): Promise<ApiPortRequested> {
    return this.#owned('DELETE', `/ports/${port}`);
  }

  /** The reviewer links that are still valid (not expired, not revoked). */
  async links(): Promise<ApiLink[]> {
    return (await this.#owned<{ links: ApiLink[] }>('GET', '/links')).links;
  }

  /** A reviewer link for `port` (it opens the port while its visibility is `link` or `org`), valid `ttlSeconds`. */
  createLink(port: number, options: { ttlSeconds?: number; label?: string } = {}): Promise<ApiLink> {
    const label = options.label ? { label: options.label } : {};
    return this.#owned('POST', '/links', { port, ...ttlField(options.ttlSeconds), ...label });
  }

  /** Revoke the reviewer link `id` at once; resolves with the link revoked. 404 `no_such_link`. */
  revokeLink(id: string): Promise<ApiRevokedLink> {
    return this.#owned('DELETE', `/links/${encodeURIComponent(id)}`);
  }

  /** A one-time link that logs a browser in as the owner of `port`'s host, to be opened within `ttlSeconds`. */
  loginLink(port: number, options: { ttlSeconds?: number } = {}): Promise<ApiLogin> {
    return this.#owned('POST', '/login', { port, ...ttlField(options.ttlSeconds) });
  }

  /** A one-time link to the session's dashboard, to be opened within `ttlSeconds`. */
  dashboardLink(options: { ttlSeconds?: number } = {}): Promise<ApiDashboardLink> {
    return this.#owned('POST', '/dashboard', ttlField(options.ttlSeconds));
  }

  /**
   * Sign out everywhere: every owner token, login link and owner cookie of the session is revoked
   * (this handle's own token too, traded anew on its next call). The session token, the tunnel and
   * reviewer links keep working.
   */
  async signOut(): Promise<ApiSignOut> {
    const result = await this.#owned<ApiSignOut>('POST', '/signout', {});
    this.#owner = null;
    return result;
  }
}
