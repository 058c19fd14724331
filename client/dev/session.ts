/** Creating sessions through the gateway's admin API, and keeping the local one. */
import { debuglog } from 'node:util';
import { readPrivateFile, writePrivateFile } from '../local/private-path';
import type { ApiCreatedSession, ApiSessionOwner, ApiSessionPolicy } from '../../protocol/api';
import { PortholeApiError } from '../net/http';
import { type CreateSessionOptions, PortholeAdmin } from '../sdk/admin';

const log = debuglog('porthole');

/** What a new session may be created with (the SDK's CreateSessionOptions). */
export type SessionOptions = CreateSessionOptions;

/**
 * A new session through the SDK (PortholeAdmin.createSession), its refusal worded for the CLI:
 * a PortholeApiError naming the gateway's status and reason (400 naming a bad owner or policy
 * field; 409 `identity_not_configured` for owner or policy on a gateway without a provider), or 502
 * `gateway_unreachable` naming the gateway.
 */
export async function createSession(
  gateway: string,
  adminToken: string,
  options: SessionOptions = {},
): Promise<ApiCreatedSession> {
  return new PortholeAdmin({ gateway, adminToken }).createSession(options).catch((error: Error) => {
    if (!(error instanceof PortholeApiError) || error.code === 'gateway_unreachable') throw error;
    throw new PortholeApiError(
      error.status,
      error.code,
      `the gateway refused to create a session (${error.status}): ${error.message}`,
    );
  });
}

/** Renew the saved session when less than this is left of it, in milliseconds. */
const RENEW_BEFORE_MS = 24 * 3600 * 1000;

/** A saved local session, with the owner and policy `porthole dev` asked for when it was created. */
interface SavedSession extends ApiCreatedSession {
  requested?: { owner?: ApiSessionOwner; policy?: ApiSessionPolicy };
}

/**
 * The session kept in the state folder at `path` (JSON, mode 0600), so URLs
 * stay the same across restarts; a new one is created through the admin API
 * (with `wanted`'s owner and policy, `porthole dev --owner-email …`) when the
 * file is missing, unreadable, has less than a day left, or was created with
 * another owner or policy than `wanted` (a session's owner and policy cannot
 * change). Rejects as createSession does (e.g. 409 identity_not_configured). A saved
 * file that others may read, or that is not this user's, is refused
 * (UnsafePathError): its token was exposed.
 */
export async function localSession(
  path: string,
  gateway: string,
  adminToken: string,
  wanted: { owner?: ApiSessionOwner; policy?: ApiSessionPolicy } = {},
): Promise<ApiCreatedSession> {
  const requested = { owner: wanted.owner, policy: wanted.policy };
  const text = readPrivateFile(path); // Outside the try: an unsafe file is refused, not replaced.
  if (text !== null) {
    try {
      const saved = JSON.parse(text) as SavedSession;
      const same = JSON.stringify(saved.requested ?? {}) === JSON.stringify(requested);
      if (same && Date.parse(saved.expiresAt) - Date.now() > RENEW_BEFORE_MS) return saved;
      if (!same) log('%s was created with another owner or policy, creating a new session', path);
    } catch (error) {
      log('%s is unreadable, creating a new session: %s', path, (error as Error).message);
    }
  }
  const created = await createSession(gateway, adminToken, requested);
  const saved: SavedSession = { ...created, requested };
  writePrivateFile(path, JSON.stringify(saved, null, 2));
  return created;
}
