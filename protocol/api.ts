/**
 * The owner API on the control domain (JSON over HTTPS), shared by the gateway
 * that serves it and the client that calls it. See README "Owner API".
 */
import type { Visibility } from './payloads';

/**
 * The forward check, `GET /api/sessions/<s>/tcp/<port>` without an upgrade (docs/tcp-forwarding.md):
 * the port as a forwarded connection would reach it now.
 */
export interface ApiForwardCheck {
  port: number;
  /** The process listening, as the client named it. */
  process?: string;
  visibility: Visibility;
}

/** A port of the session as the owner API shows it. */
export interface ApiPort {
  port: number;
  url: string;
  process?: string;
  visibility: Visibility;
  /** False for a port the owner set a visibility for that is not listening now. */
  listening: boolean;
  firstSeen?: string;
  /** The client's label for the port (`porthole expose --label`, the settings), when it gave one. */
  label?: string;
}

/** A reviewer link. `url` opens the port for whoever holds it, until `expiresAt` or revocation. */
export interface ApiLink {
  id: string;
  url: string;
  port: number;
  label?: string;
  createdAt: string;
  expiresAt: string;
}

/** A one-time owner login link (also logs in the session's other non-public ports). */
export interface ApiLogin {
  url: string;
  port: number;
  expiresAt: string;
}

/** A one-time link to the session's dashboard. */
export interface ApiDashboardLink {
  url: string;
  expiresAt: string;
}

export interface ApiOwnerToken {
  token: string;
  session: string;
  expiresAt: string;
}

/** `POST /api/sessions/<session>/signout`: every owner credential of the session is revoked. */
export interface ApiSignOut {
  session: string;
  signedOut: true;
  /** The session's new sign-out epoch (owner credentials of earlier epochs are refused). */
  epoch: number;
}

/** The session at a glance (GET /api/sessions/<id>/status). */
export interface ApiStatus {
  tunnel: 'connected' | 'offline';
  /** When the current tunnel connected. */
  connectedAt?: string;
  /** Requests and WebSockets in flight. */
  streams: number;
  /** Requests waiting for a stream (MAX_STREAMS in use, or their viewer at its share): QUEUE_LENGTH. */
  waiting: number;
  /** When the session's Durable Object last started (it hibernates when idle, and restarts after). */
  awakeSince: string;
}

/** The session's owner by identity (docs/identity.md): an email, or an issuer and subject, or all three. */
export interface ApiSessionOwner {
  email?: string;
  issuer?: string;
  subject?: string;
}

/** Who the session's organisation is (the `org` visibility): any listed email, email domain or group. */
export interface ApiSessionPolicy {
  emailDomains?: string[];
  emails?: string[];
  groups?: string[];
}

/** `POST /api/sessions` (admin token) → 201: the new session and its session token. */
export interface ApiCreatedSession {
  session: string;
  /** The session token: the client connects with it; it also drives the session (SDK PortholeSession). */
  token: string;
  /** The session token's expiry (ISO 8601); the session ends then. */
  expiresAt: string;
  /** The shape of the session's port URLs, `{port}` and `{sig}` left to fill. */
  urlTemplate: string;
  /** Echoed when the session was created with one. */
  owner?: ApiSessionOwner;
  policy?: ApiSessionPolicy;
}

/** A session's state (docs/lifecycle.md): `asleep` while the operator has its VM suspended. An ended session has none. */
export type SessionState = 'active' | 'asleep';

/** `GET /api/sessions/<id>`, and `PATCH` with `{"state":"asleep"|"awake"}`: the session as its operator sees it. */
export interface ApiSession {
  session: string;
  state: SessionState;
  tunnel: 'connected' | 'offline';
  /** When the current tunnel connected. */
  connectedAt?: string;
  /** When the session ends by itself (its session token's expiry). */
  expiresAt: string;
  /** Ports in the session's table (announced by its client now). */
  ports: number;
}

/** `DELETE /api/sessions/<id>`: the session has ended, and nothing of it is kept. */
export interface ApiSessionEnded {
  session: string;
  state: 'ended';
  endedAt: string;
}

/** `POST /api/sessions/<session>/ports` and `DELETE …/ports/<port>` → 202: the client was asked. */
export interface ApiPortRequested {
  port: number;
  requested: 'expose' | 'unexpose';
}

/** `DELETE /api/sessions/<session>/links/<id>` → 200: the link as it was, now revoked. */
export interface ApiRevokedLink extends ApiLink {
  revoked: true;
}

/** Bounds the gateway enforces on the lifetimes it is asked for, in seconds. */
export const LINK_TTL = { default: 24 * 3600, min: 60, max: 30 * 24 * 3600 } as const;
export const LOGIN_TTL = { default: 10 * 60, min: 60, max: 24 * 3600 } as const;
export const OWNER_TTL = { default: 12 * 3600, min: 60, max: 7 * 24 * 3600 } as const;
/** Session tokens (the admin API): 30 days by default, from 60 s to a year. */
export const SESSION_TTL = { default: 30 * 24 * 3600, min: 60, max: 365 * 24 * 3600 } as const;
export const MAX_LINK_LABEL = 200;

/**
 * An API request body (the owner API, the control socket) as a JSON object: a blank body is `{}`.
 * Null when the text is not JSON, or is JSON but not an object (an array, a string, null …); the
 * caller answers its own 400.
 */
export function parseJsonObject(text: string): Record<string, unknown> | null {
  if (!text.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null; // Not JSON: the same answer as JSON of the wrong shape.
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
    ? (parsed as Record<string, unknown>)
    : null;
}

/** The first event of a session's event feed: the session as it is when the feed opens. */
export interface ApiEventSnapshot {
  state: SessionState;
  tunnel: 'connected' | 'offline';
  /** Every port as GET /ports gives it, with URLs on the host the feed was opened on. */
  ports: ApiPort[];
}

/**
 * One event of a session's event feed (`GET /api/sessions/<id>/events`, docs/events.md), by `type`
 * (the SSE `event:` name) with its `data` (the SSE `data:` JSON object). After `session.ended`,
 * `feed.expired` and `feed.overflow` the feed ends.
 */
export type SessionEvent =
  | { type: 'snapshot'; data: ApiEventSnapshot }
  /** A port began listening (the client announced it). */
  | { type: 'port.opened'; data: ApiPort }
  /** A port stopped listening (the client no longer announces it). */
  | { type: 'port.closed'; data: { port: number } }
  /** Who may open a port changed (the owner's choice or the client's announcement). */
  | { type: 'port.visibility'; data: ApiPort }
  /** The client's tunnel connected (or a newer one replaced it); `connectedAt` ISO 8601. */
  | { type: 'tunnel.up'; data: { connectedAt: string } }
  | { type: 'tunnel.down'; data: Record<string, never> }
  | { type: 'session.asleep'; data: Record<string, never> }
  | { type: 'session.awake'; data: Record<string, never> }
  | { type: 'session.ended'; data: { reason: 'ended' | 'expired' } }
  /** The credential that opened the feed expired (`expired`) or was signed out (`signed_out`). */
  | { type: 'feed.expired'; data: { reason: 'expired' | 'signed_out' } }
  /** The reader fell too far behind (more than the feed's queue bound unread): open a new feed. */
  | { type: 'feed.overflow'; data: { queuedBytes: number } };

/** The event names of a session's event feed. */
export type SessionEventType = SessionEvent['type'];

/** The `data` of the event named `T`. */
export type SessionEventData<T extends SessionEventType> = Extract<SessionEvent, { type: T }>['data'];

/** Every event name, in the order docs/events.md lists them. */
export const SESSION_EVENT_TYPES: readonly SessionEventType[] = [
  'snapshot',
  'port.opened',
  'port.closed',
  'port.visibility',
  'tunnel.up',
  'tunnel.down',
  'session.asleep',
  'session.awake',
  'session.ended',
  'feed.expired',
  'feed.overflow',
];

/**
 * Event feeds one session holds open at once for the admin token, and as many for its own (session
 * and owner) tokens; one more of either is 429 `too_many_feeds`.
 */
export const MAX_EVENT_FEEDS = 8;
