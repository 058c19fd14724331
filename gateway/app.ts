/**
 * The Worker's routes. The host decides first: port previews go to their
 * Session object (after a stateless label check), the bare domain serves the
 * control plane, and any other host is not ours.
 */
import { Hono } from 'hono';
import {
  type ApiOwnerToken,
  isVisibility,
  LINK_TTL,
  LOGIN_TTL,
  MAX_LINK_LABEL,
  OWNER_TTL,
  SUBPROTOCOL,
} from '../protocol';
import {
  mintToken,
  secretsEqual,
  type TokenClaims,
  TokenError,
  type TokenKind,
  type TokenProblem,
  verifyToken,
} from './auth/tokens';
import { dashboard } from './dashboard';
import type { AppEnv, Env } from './env';
import { GatewayError, misconfigured, notFound } from './errors';
import { isSessionId, newSessionId } from './routing/base32';
import { sessionStub } from './routing/host';
import { TUNNEL_HEADER, tunnelRequest } from './session/route';
import type { Base } from './session/session';

const DEFAULT_SESSION_TTL = 30 * 24 * 3600;
const MAX_SESSION_TTL = 365 * 24 * 3600;

/** The control plane on the bare domain: session API, owner API, the tunnel's /connect. */
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

function unauthorized(message: string): GatewayError {
  return new GatewayError(401, 'unauthorized', message, { 'www-authenticate': 'Bearer realm="porthole"' });
}

const tokenProblems: Record<TokenProblem, string> = {
  expired: 'has expired',
  not_yet_valid: 'is not valid yet',
  unknown_key: 'was signed with a key this gateway does not hold',
  too_large: 'is too large',
  invalid: 'is not valid',
};

/** The claims of a bearer token of `kind`, or a 401 saying what is wrong with it. */
async function bearerClaims(request: Request, env: Env, kind: TokenKind, needed: string): Promise<TokenClaims> {
  const token = bearer(request);
  if (!token) throw unauthorized(`${needed}: Authorization: Bearer <token>.`);
  try {
    return await verifyToken(env, token, [kind]);
  } catch (error) {
    if (error instanceof TokenError) throw unauthorized(`The ${kind} token ${tokenProblems[error.problem]}.`);
    throw error;
  }
}

/** A JSON object body (an empty body is `{}`), or a 400. */
async function jsonBody(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (!text.trim()) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw badRequest('The request body must be JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

const badRequest = (message: string) => new GatewayError(400, 'bad_request', message);

/** A whole number of seconds within bounds, or the default when absent. */
function ttlOf(value: unknown, bounds: { default: number; min: number; max: number }): number {
  if (value === undefined) return bounds.default;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw badRequest(`ttl must be a whole number of seconds from ${bounds.min} to ${bounds.max}.`);
  }
  return value;
}

function portOf(value: unknown): number {
  const port = typeof value === 'string' && /^[0-9]{1,5}$/.test(value) ? Number(value) : value;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw badRequest('port must be a port number from 1 to 65535.');
  }
  return port;
}

/** Create a session: admin only. */
app.post('/api/sessions', async (c) => {
  if (!c.env.ADMIN_TOKEN) throw misconfigured('ADMIN_TOKEN');
  const token = bearer(c.req.raw);
  if (!token || !(await secretsEqual(token, c.env.ADMIN_TOKEN))) {
    throw unauthorized('Creating a session needs the admin token as a Bearer token.');
  }
  const body = await jsonBody(c.req.raw);
  const ttl = ttlOf(body.ttl, { default: DEFAULT_SESSION_TTL, min: 60, max: MAX_SESSION_TTL });
  const url = new URL(c.req.url);
  const session = newSessionId();
  const sessionToken = await mintToken(c.env, 'session', { session, ttlSeconds: ttl });
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

// ── the owner API: /api/sessions/<session>/… ─────────────────────────────

/** The session's client trades its session token for an owner token. */
app.post('/api/sessions/:session/owner-token', async (c) => {
  const session = c.req.param('session');
  const claims = await bearerClaims(c.req.raw, c.env, 'session', 'An owner token is issued for the session token');
  if (claims.session !== session) throw forbidden();
  const body = await jsonBody(c.req.raw);
  // An owner token never outlives the session token it came from.
  const left = claims.expiresAt - Math.floor(Date.now() / 1000);
  const ttl = Math.min(ttlOf(body.ttl, OWNER_TTL), left);
  const token = await mintToken(c.env, 'owner', { session, ttlSeconds: ttl });
  const reply: ApiOwnerToken = { token, session, expiresAt: new Date(Date.now() + ttl * 1000).toISOString() };
  return c.json(reply, 201);
});

const forbidden = () => new GatewayError(403, 'forbidden', 'This token belongs to another session.');

const owner = new Hono<AppEnv & { Variables: { session: string; base: Base } }>();

owner.use('*', async (c, next) => {
  const session = c.req.param('session') ?? '';
  if (!isSessionId(session)) throw notFound();
  const claims = await bearerClaims(c.req.raw, c.env, 'owner', 'The owner API needs an owner token');
  if (claims.session !== session) throw forbidden();
  const url = new URL(c.req.url);
  c.set('session', session);
  c.set('base', { scheme: url.protocol.slice(0, -1), host: url.host });
  await next();
});

owner.get('/status', async (c) => c.json(await sessionStub(c.env, c.var.session).status()));

owner.get('/ports', async (c) => {
  const { session, base } = c.var;
  return c.json({ ports: await sessionStub(c.env, session).listPorts(base, session) });
});

owner.patch('/ports/:port', async (c) => {
  const { session, base } = c.var;
  const port = portOf(c.req.param('port'));
  const { visibility } = await jsonBody(c.req.raw);
  if (!isVisibility(visibility)) throw badRequest('visibility must be one of private, link, public.');
  return c.json(await sessionStub(c.env, session).setVisibility(base, session, port, visibility));
});

owner.post('/login', async (c) => {
  const { session, base } = c.var;
  const body = await jsonBody(c.req.raw);
  const login = await sessionStub(c.env, session).loginLink(
    base,
    session,
    portOf(body.port),
    ttlOf(body.ttl, LOGIN_TTL),
  );
  return c.json(login, 201);
});

owner.get('/links', async (c) => {
  const { session, base } = c.var;
  return c.json({ links: await sessionStub(c.env, session).listLinks(base, session) });
});

owner.post('/links', async (c) => {
  const { session, base } = c.var;
  const body = await jsonBody(c.req.raw);
  const port = portOf(body.port);
  const ttl = ttlOf(body.ttl, LINK_TTL);
  const label = body.label;
  if (label !== undefined && (typeof label !== 'string' || label.length > MAX_LINK_LABEL)) {
    throw badRequest(`label must be a string of at most ${MAX_LINK_LABEL} characters.`);
  }
  const link = await sessionStub(c.env, session).createLink(base, session, port, ttl, label || undefined);
  return c.json(link, 201);
});

owner.delete('/links/:id', async (c) => {
  const { session, base } = c.var;
  const id = c.req.param('id');
  const revoked = /^[a-z2-7]{1,32}$/.test(id) ? await sessionStub(c.env, session).revokeLink(base, session, id) : null;
  if (!revoked)
    throw new GatewayError(404, 'no_such_link', `There is no live link ${JSON.stringify(id)} in this session.`);
  return c.json({ ...revoked, revoked: true });
});

owner.post('/dashboard', async (c) => {
  const { session, base } = c.var;
  const body = await jsonBody(c.req.raw);
  return c.json(await sessionStub(c.env, session).dashboardLink(base, session, ttlOf(body.ttl, LOGIN_TTL)), 201);
});

app.route('/api/sessions/:session', owner);
app.route('/', dashboard);

/** The client's tunnel: a WebSocket upgrade with a session token. */
app.get('/connect', async (c) => {
  const request = c.req.raw;
  const claims = await bearerClaims(request, c.env, 'session', 'The tunnel needs a session token');
  if (!isSessionId(claims.session)) throw unauthorized('The session token names no valid session.');
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
