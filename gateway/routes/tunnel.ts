/**
 * `GET /connect`: the client's tunnel, a WebSocket upgrade with a session token, handed to its Session object.
 * `GET /connect/ws?stream=<id>`: the client's data connection for one viewer WebSocket (same token), the same way.
 */
import { Hono } from 'hono';
import { SUBPROTOCOL } from '../../protocol';
import { isSessionId } from '../../protocol/ids';
import { bearerRefused } from '../access/refusals';
import { config } from '../config';
import type { AppEnv } from '../env';
import { badDataStream, tunnelNeedsUpgrade, unsupportedProtocol } from '../control-errors';
import { sessionStub } from '../routing/stub';
import { baseOf, withRoute } from '../routing/route';
import { bearerClaims, offersSubprotocol } from './input';

export const tunnel = new Hono<AppEnv>();

tunnel.get('/connect', async (c) => {
  const request = c.req.raw;
  const claims = await bearerClaims(request, config(c.env), 'session', 'The tunnel needs a session token');
  if (!isSessionId(claims.session)) throw bearerRefused('The session token names no valid session.');
  if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
    throw tunnelNeedsUpgrade();
  }
  if (!offersSubprotocol(request, SUBPROTOCOL)) {
    throw unsupportedProtocol(SUBPROTOCOL);
  }
  const base = baseOf(new URL(request.url));
  return sessionStub(c.env, claims.session).fetch(
    withRoute(request, { kind: 'tunnel', base, expiresAt: claims.expiresAt }),
  );
});

tunnel.get('/connect/ws', async (c) => {
  const request = c.req.raw;
  const claims = await bearerClaims(request, config(c.env), 'session', 'A data connection needs a session token');
  if (!isSessionId(claims.session)) throw bearerRefused('The session token names no valid session.');
  if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') throw tunnelNeedsUpgrade();
  const raw = new URL(request.url).searchParams.get('stream') ?? '';
  const stream = /^[1-9][0-9]{0,9}$/.test(raw) ? Number(raw) : 0;
  if (stream < 1 || stream > 0xffffffff) throw badDataStream();
  return sessionStub(c.env, claims.session).fetch(withRoute(request, { kind: 'data', stream }));
});
