/**
 * porthole/sdk: a typed client for the gateway's admin and owner APIs (README "Operator SDK").
 *
 *   const admin = new PortholeAdmin({ gateway, adminToken });
 *   const created = await admin.createSession({ ttlSeconds: 3600 });
 *   const session = new PortholeSession({ gateway, sessionToken: created.token });
 *   for await (const event of session.events({ signal })) …
 *
 * Every call rejects with a PortholeApiError (`status`, `code`, `message`).
 */
export { PortholeAdmin, type AdminOptions, type CreateSessionOptions } from './admin';
export { PortholeSession, type SessionAdminOptions, type SessionTokenOptions } from './session';
export type { EventsOptions, PortholeEvent, PortholeEventData, PortholeEventType } from './events';
export type { GatewayOptions } from './call';
export { PortholeApiError, type ApiErrorBody } from '../net/http';
export type {
  ApiCreatedSession,
  ApiDashboardLink,
  ApiLink,
  ApiLogin,
  ApiOwnerToken,
  ApiPort,
  ApiPortRequested,
  ApiRevokedLink,
  ApiSession,
  ApiSessionEnded,
  ApiSessionOwner,
  ApiSessionPolicy,
  ApiSignOut,
  ApiStatus,
  ApiEventSnapshot,
  SessionState,
} from '../../protocol/api';
export type { Visibility } from '../../protocol/payloads';
