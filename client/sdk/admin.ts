/**
 * The platform's operator, with the gateway's admin token (ADMIN_TOKEN): creates sessions, reads,
 * ends and puts them to sleep, and acts as any session's owner (`session(id)`). Every method rejects
 * with a PortholeApiError: the gateway's refusal as it sent it (status, code, message), or 502
 * `gateway_unreachable`.
 */
import type {
  ApiCreatedSession,
  ApiSession,
  ApiSessionEnded,
  ApiSessionOwner,
  ApiSessionPolicy,
} from '../../protocol/api';
import { call, CALL_TIMEOUT_MS, type GatewayOptions, gatewayUrl, requiredToken, ttlField } from './call';
import { PortholeSession } from './session';

export interface AdminOptions extends GatewayOptions {
  /** The gateway's ADMIN_TOKEN. */
  adminToken: string;
}

/** What a new session may be created with; all optional (the gateway's defaults). */
export interface CreateSessionOptions {
  /** Lifetime of the session token in seconds (default 30 days, 60 s to a year: SESSION_TTL); the session ends then. */
  ttlSeconds?: number;
  /** The owner by identity (needs OIDC or Access on the gateway: else 409 `identity_not_configured`). */
  owner?: ApiSessionOwner;
  /** The session's organisation, for the `org` visibility (needs a provider too). */
  policy?: ApiSessionPolicy;
}

export class PortholeAdmin {
  readonly #gateway: URL;
  readonly #options: AdminOptions;
  readonly #adminToken: string;
  readonly #timeoutMs: number;

  /** @throws TypeError for a gateway that is not an http(s) URL, or a missing admin token. */
  constructor(options: AdminOptions) {
    this.#gateway = gatewayUrl(options.gateway);
    this.#adminToken = requiredToken(options.adminToken, 'adminToken');
    this.#timeoutMs = options.timeoutMs ?? CALL_TIMEOUT_MS;
    this.#options = { ...options };
  }

  #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return call<T>(this.#gateway, this.#timeoutMs, method, path, this.#adminToken, body);
  }

  /**
   * A new session (`POST /api/sessions`): its id, session token (give it to the client in the VM:
   * `PORTHOLE_TOKEN`), expiry and URL template. 400 naming a bad field; 409
   * `identity_not_configured` for owner or policy on a gateway without a provider; 503 when the
   * gateway has no ADMIN_TOKEN set.
   */
  createSession(options: CreateSessionOptions = {}): Promise<ApiCreatedSession> {
    return this.#call('POST', '/api/sessions', {
      ...ttlField(options.ttlSeconds),
      ...(options.owner ? { owner: options.owner } : {}),
      ...(options.policy ? { policy: options.policy } : {}),
    });
  }

  /**
   * The session `id` as its owner would drive it (PortholeSession), with the admin token: the owner
   * API through an owner token the admin token is traded for, the lifecycle routes and the event
   * feed with the admin token itself. Makes no call.
   */
  session(id: string): PortholeSession {
    return new PortholeSession({ ...this.#options, session: id });
  }

  /** The session's state (`GET /api/sessions/<id>`); 410 `session_ended` once it has ended. */
  getSession(id: string): Promise<ApiSession> {
    return this.#call('GET', `/api/sessions/${encodeURIComponent(id)}`);
  }

  /** End the session at once (`DELETE /api/sessions/<id>`); 410 `session_ended` when it already had. */
  endSession(id: string): Promise<ApiSessionEnded> {
    return this.#call('DELETE', `/api/sessions/${encodeURIComponent(id)}`);
  }

  /**
   * Mark the session asleep (its VM suspended: viewers get a "waking up" page that reloads itself)
   * or awake again (`PATCH /api/sessions/<id>`); resolves with the session's state.
   */
  setSessionState(id: string, state: 'asleep' | 'awake'): Promise<ApiSession> {
    return this.#call('PATCH', `/api/sessions/${encodeURIComponent(id)}`, { state });
  }
}
