/** The admin side of the control plane: the root page, the health check, and session creation (ADMIN_TOKEN). */
import { Hono } from 'hono';
import { secretsEqual, mintToken } from '../auth/tokens';
import { config } from '../config';
import type { AppEnv } from '../env';
import { adminTokenUnset } from '../control-errors';
import { newSessionId } from '../routing/base32';
import { listenPort, type PreviewHosts } from '../routing/label';
import { bearerRefused } from '../access/refusals';
import { SESSION_TTL } from '../../protocol/api';
import { identityNotConfigured } from '../identity/org-policy';
import { sessionStub } from '../routing/stub';
import { bearer, jsonBody, ttlOf } from './input';
import { ownerOf, policyOf } from './identity-input';

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

/**
 * Create a session: `{ttl?, owner?, policy?}` → 201 `{session, token, expiresAt, urlTemplate}`, with
 * `owner` and `policy` echoed when given (docs/identity.md; identity-input.ts reads them, 400
 * `bad_request` naming the field). Either needs a provider (OIDC or Access): 409
 * `identity_not_configured` without one. The session's Durable Object keeps them with the session
 * token's expiry (`until`, the grant of credentials minted for a signed-in owner), for every
 * session, with or without them.
 */
admin.post('/api/sessions', async (c) => {
  const { adminToken } = config(c.env);
  if (adminToken === null) {
    throw adminTokenUnset();
  }
  const token = bearer(c.req.raw);
  if (!token || !(await secretsEqual(token, adminToken))) {
    throw bearerRefused('Creating a session needs the admin token as a Bearer token.');
  }
  const body = await jsonBody(c.req.raw);
  const ttl = ttlOf(body.ttl, { ...SESSION_TTL, min: config(c.env).sessionMinTtlSeconds });
  const owner = ownerOf(body.owner);
  const policy = policyOf(body.policy);
  const { identity } = config(c.env);
  if (identity.oidc === null && identity.access === null && (owner !== null || policy !== null)) {
    throw identityNotConfigured(owner !== null ? 'owner' : 'policy');
  }
  const url = new URL(c.req.url);
  const session = newSessionId();
  const now = Date.now();
  // The token's expiry, seconds since the epoch: also the identity grant's end.
  const until = Math.floor(now / 1000) + ttl;
  const sessionToken = await mintToken(config(c.env), 'session', { session, expiresAt: until });
  await sessionStub(c.env, session).configureIdentity({ owner, policy, until });
  return c.json(
    {
      session,
      token: sessionToken,
      expiresAt: new Date(now + ttl * 1000).toISOString(),
      // The gateway signs {sig} per port; the client learns each port's full URL over the tunnel.
      urlTemplate: urlTemplate(config(c.env), session, url),
      ...(owner !== null ? { owner } : {}),
      ...(policy !== null ? { policy } : {}),
    },
    201,
  );
});
