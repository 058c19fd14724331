/** The admin side of the control plane: the root page, the health check, and session creation (ADMIN_TOKEN). */
import { Hono } from 'hono';
import { secretsEqual, mintToken } from '../auth/tokens';
import { config } from '../config';
import type { AppEnv } from '../env';
import { adminTokenUnset } from '../errors';
import { newSessionId } from '../routing/base32';
import { listenPort, type PreviewHosts } from '../routing/label';
import { bearerRefused } from '../access/refusals';
import { SESSION_TTL } from '../../protocol/api';
import { bearer, jsonBody, ttlOf } from './input';

export const admin = new Hono<AppEnv>();

/** The shape of the session's port URLs, `{port}` and `{sig}` left to fill, on the scheme and port of `url`. */
function urlTemplate(hosts: PreviewHosts, session: string, url: URL): string {
  const name = hosts.hostShape === 'session' ? `{port}-{sig}.${session}` : `{port}-${session}-{sig}`;
  return `${url.protocol}//${name}.${hosts.previewDomain}${listenPort(url.host)}/`;
}

/** The bare domain's page: where previews live, on the scheme and port this request came in on. */
admin.get('/', (c) => {
  const { hostShape, previewDomain } = config(c.env);
  const url = new URL(c.req.url);
  const shape = hostShape === 'session' ? '<port>-<sig>.<session>' : '<port>-<session>-<sig>';
  return c.text(
    `Porthole gateway. Port previews live at ${url.protocol}//${shape}.${previewDomain}${listenPort(url.host)}/\n`,
  );
});

admin.get('/healthz', (c) => c.json({ ok: true }));

/** Create a session: `{ttl?}` → 201 `{session, token, expiresAt, urlTemplate}`. */
admin.post('/api/sessions', async (c) => {
  const { adminToken } = config(c.env);
  if (adminToken === null) {
    throw adminTokenUnset();
  }
  const token = bearer(c.req.raw);
  if (!token || !(await secretsEqual(token, adminToken))) {
    throw bearerRefused('Creating a session needs the admin token as a Bearer token.');
  }
  const ttl = ttlOf((await jsonBody(c.req.raw)).ttl, SESSION_TTL);
  const url = new URL(c.req.url);
  const session = newSessionId();
  const sessionToken = await mintToken(config(c.env), 'session', { session, ttlSeconds: ttl });
  return c.json(
    {
      session,
      token: sessionToken,
      expiresAt: new Date(Date.now() + ttl * 1000).toISOString(),
      // The gateway signs {sig} per port; the client learns each port's full URL over the tunnel.
      urlTemplate: urlTemplate(config(c.env), session, url),
    },
    201,
  );
});
