/** Creating sessions through the gateway's admin API, and keeping the local one. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { callGateway } from '../net/http';

export interface CreatedSession {
  session: string;
  token: string;
  expiresAt: string;
  urlTemplate: string;
}

/** POST /api/sessions with the admin token. */
export async function createSession(gateway: string, adminToken: string, ttlSeconds?: number): Promise<CreatedSession> {
  const body = ttlSeconds === undefined ? '' : JSON.stringify({ ttl: ttlSeconds });
  const { status, text } = await callGateway(new URL('/api/sessions', gateway), 'POST', adminToken, body).catch(
    (error: Error) => {
      throw new Error(`cannot reach the gateway at ${gateway}: ${error.message}`);
    },
  );
  if (status === 201) return JSON.parse(text) as CreatedSession;
  let message = text.slice(0, 300);
  try {
    message = (JSON.parse(text) as { message: string }).message;
  } catch {
    // Not JSON.
  }
  throw new Error(`the gateway refused to create a session (${status}): ${message}`);
}

const RENEW_BEFORE_MS = 24 * 3600 * 1000;

/** The session kept in the state folder, so URLs stay the same across restarts. */
export async function localSession(path: string, gateway: string, adminToken: string): Promise<CreatedSession> {
  if (existsSync(path)) {
    try {
      const saved = JSON.parse(readFileSync(path, 'utf8')) as CreatedSession;
      if (Date.parse(saved.expiresAt) - Date.now() > RENEW_BEFORE_MS) return saved;
    } catch {
      // Unreadable: make a new one.
    }
  }
  const created = await createSession(gateway, adminToken);
  writeFileSync(path, JSON.stringify(created, null, 2), { mode: 0o600 });
  return created;
}
