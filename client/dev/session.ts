/** Creating sessions through the gateway's admin API, and keeping the local one. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { lookup } from '../net/lookup';

export interface CreatedSession {
  session: string;
  token: string;
  expiresAt: string;
  urlTemplate: string;
}

/** POST /api/sessions. Uses http.request: Node's fetch drops a Host header we may need. */
export function createSession(gateway: string, adminToken: string, ttlSeconds?: number): Promise<CreatedSession> {
  const url = new URL('/api/sessions', gateway);
  const body = ttlSeconds === undefined ? '' : JSON.stringify({ ttl: ttlSeconds });
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method: 'POST',
        lookup,
        headers: {
          authorization: `Bearer ${adminToken}`,
          'content-type': 'application/json',
          accept: 'application/json',
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () => {
          if (res.statusCode === 201) {
            resolve(JSON.parse(text) as CreatedSession);
            return;
          }
          let message = text.slice(0, 300);
          try {
            message = (JSON.parse(text) as { message: string }).message;
          } catch {
            // Not JSON.
          }
          reject(new Error(`the gateway refused to create a session (${res.statusCode}): ${message}`));
        });
      },
    );
    req.on('error', (error) => reject(new Error(`cannot reach the gateway at ${gateway}: ${error.message}`)));
    req.end(body);
  });
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
