/**
 * The Worker's routes. The host decides first: port previews go to their
 * Session object (after a stateless label check), the bare domain serves the
 * control plane, and any other host is not ours.
 */
import { Hono } from 'hono';
import { SUBPROTOCOL } from '../protocol';
import { mintSessionToken, secretsEqual, verifySessionToken } from './auth/tokens';
import type { AppEnv } from './env';
import { GatewayError, misconfigured, notFound } from './errors';
import { newSessionId } from './routing/base32';
import { sessionStub } from './routing/host';
import { TUNNEL_HEADER, tunnelRequest } from './session/route';

const DEFAULT_SESSION_TTL = 30 * 24 * 3600;
const MAX_SESSION_TTL = 365 * 24 * 3600;
const SESSION_ID = /^[a-z2-7]{16}$/;

/** The control plane on the bare domain: session API, the tunnel's /connect. */
export const app = new Hono<AppEnv>();

app.onError((error, c) => {
  if (error instanceof GatewayError) return error.toResponse(c.req.raw);
  console.error('unhandled gateway error', error);
  return new GatewayError(500, 'internal', 'The gateway failed to handle this request.').toResponse(c.req.raw);
});

app.notFound((c) => notFound().toResponse(c.req.raw));

app.get('/', (c) => c.text('Porthole gateway. Port previews live at https://<port>-<session>-<sig>.<this domain>/\n'));

app.get('/healthz', (c) => c.json({ ok: true }));

function bearer(request: Request): string | null {
  const header = request.headers.get('authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? (match[1] as string) : null;
}

/** Create a session: admin only. */
app.post('/api/sessions', async (c) => {
  if (!c.env.ADMIN_TOKEN) throw misconfigured('ADMIN_TOKEN');
  const token = bearer(c.req.raw);
  if (!token || !(await secretsEqual(token, c.env.ADMIN_TOKEN))) {
    throw new GatewayError(401, 'unauthorized', 'Creating a session needs the admin token as a Bearer token.', {
      'www-authenticate': 'Bearer realm="porthole"',
    });
  }
  let ttl = DEFAULT_SESSION_TTL;
  const text = await c.req.text();
  if (text.trim()) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new GatewayError(400, 'bad_request', 'The request body must be JSON.');
    }
    const asked = (body as { ttl?: unknown } | null)?.ttl;
    if (asked !== undefined) {
      if (typeof asked !== 'number' || !Number.isInteger(asked) || asked < 60 || asked > MAX_SESSION_TTL) {
        throw new GatewayError(
          400,
          'bad_request',
          `ttl must be a whole number of seconds from 60 to ${MAX_SESSION_TTL}.`,
        );
      }
      ttl = asked;
    }
  }
  const url = new URL(c.req.url);
  const session = newSessionId();
  const sessionToken = await mintSessionToken(c.env, session, ttl);
  return c.json(
    {
      session,
      token: sessionToken,
      expiresAt: new Date(Date.now() + ttl * 1000).toISOString(),
      // The gateway signs {sig} per port; the client learns each port's full URL over the tunnel.
      urlTemplate: `${url.protocol}//{port}-${session}-{sig}.${url.host}/`,
    },
    201,
  );
});

/** The client's tunnel: a WebSocket upgrade with a session token. */
app.get('/connect', async (c) => {
  const request = c.req.raw;
  const token = bearer(request);
  if (!token) {
    throw new GatewayError(401, 'unauthorized', 'The tunnel needs a session token: Authorization: Bearer <token>.', {
      'www-authenticate': 'Bearer realm="porthole"',
    });
  }
  const claims = await verifySessionToken(c.env, token);
  if (!SESSION_ID.test(claims.session))
    throw new GatewayError(401, 'unauthorized', 'The session token names no valid session.');
  if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
    throw new GatewayError(426, 'upgrade_required', 'The tunnel is a WebSocket: connect with Upgrade: websocket.');
  }
  const offered = (request.headers.get('sec-websocket-protocol') ?? '').split(',').map((p) => p.trim());
  if (!offered.includes(SUBPROTOCOL)) {
    throw new GatewayError(400, 'unsupported_protocol', `This gateway speaks ${SUBPROTOCOL}; upgrade the client.`);
  }
  const url = new URL(request.url);
  const headers = new Headers(request.headers);
  headers.delete(TUNNEL_HEADER);
  const forwarded = tunnelRequest(new Request(request, { headers }), {
    kind: 'tunnel',
    session: claims.session,
    base: { scheme: url.protocol.slice(0, -1), host: url.host },
  });
  return sessionStub(c.env, claims.session).fetch(forwarded);
});
