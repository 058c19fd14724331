/** Creating sessions through the gateway's admin API, and keeping the local one. */
import { debuglog } from 'node:util';
import { readPrivateFile, writePrivateFile } from '../local/private-path';
import { PortholeApiError, requestJson } from '../net/http';

const log = debuglog('porthole');

/** The session's owner by identity (docs/identity.md): an email, or an issuer and subject, or all three. */
export interface SessionOwner {
  email?: string;
  issuer?: string;
  subject?: string;
}

/** Who the session's organisation is (the `org` visibility): any listed email, email domain or group. */
export interface SessionPolicy {
  emailDomains?: string[];
  emails?: string[];
  groups?: string[];
}

export interface CreatedSession {
  session: string;
  token: string;
  expiresAt: string;
  urlTemplate: string;
  /** Echoed when the session was created with one. */
  owner?: SessionOwner;
  policy?: SessionPolicy;
}

/** What a new session may be created with; all optional (the gateway's defaults). */
export interface SessionOptions {
  /** Lifetime of the session token, seconds. */
  ttlSeconds?: number;
  owner?: SessionOwner;
  policy?: SessionPolicy;
}

/**
 * POST /api/sessions with the admin token; `ttlSeconds` omitted: the gateway's
 * default. Rejects with a PortholeApiError when the gateway refuses (400 naming a bad
 * owner or policy field; 409 `identity_not_configured` for owner or policy on a
 * gateway without a provider), and with an Error naming the gateway when it
 * cannot be reached.
 */
export async function createSession(
  gateway: string,
  adminToken: string,
  options: SessionOptions = {},
): Promise<CreatedSession> {
  const url = new URL('/api/sessions', gateway);
  const body = {
    ...(options.ttlSeconds === undefined ? {} : { ttl: options.ttlSeconds }),
    ...(options.owner ? { owner: options.owner } : {}),
    ...(options.policy ? { policy: options.policy } : {}),
  };
  return requestJson<CreatedSession>({ method: 'POST', url, token: adminToken, body }).catch((error: Error) => {
    if (!(error instanceof PortholeApiError))
      throw new Error(`cannot reach the gateway at ${gateway}: ${error.message}`);
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
interface SavedSession extends CreatedSession {
  requested?: { owner?: SessionOwner; policy?: SessionPolicy };
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
  wanted: { owner?: SessionOwner; policy?: SessionPolicy } = {},
): Promise<CreatedSession> {
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
