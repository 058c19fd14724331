/**
 * A session's lifecycle on the control plane (docs/lifecycle.md), `/api/sessions/<session>`:
 * - `GET`: the session's state (ApiSession), for the admin token, the session token or an owner token;
 * - `DELETE`: end it now, for the admin token or the session token → `{session, state: "ended", endedAt}`;
 * - `PATCH {"state": "asleep"|"awake"}`: the operator marks its VM suspended or back, admin token only.
 * An ended session answers 410 `session_ended` to each (the Session object says so, and its
 * GatewayError crosses RPC as itself: rpc-error.ts). Credentials: operator-auth.ts (401 `unauthorized`, 403 `forbidden`).
 */
import { Hono } from 'hono';
import type { SessionState } from '../../protocol';
import { isSessionId } from '../../protocol/ids';
import { config } from '../config';
import type { AppEnv } from '../env';
import { notFound } from '../errors';
import { badRequest, methodNotAllowed } from '../control-errors';
import { sessionStub } from '../routing/stub';
import { jsonBody } from './input';
import { type OperatorKind, operatorOf } from './operator-auth';

export const lifecycle = new Hono<AppEnv>();

/** The session of the path, its stub and who asks, once the bearer token is one of `accepted` for it. */
async function authorized(
  c: { env: AppEnv['Bindings']; req: { raw: Request; param(name: 'session'): string } },
  accepted: readonly OperatorKind[],
) {
  const session = c.req.param('session');
  if (!isSessionId(session)) throw notFound();
  const stub = sessionStub(c.env, session);
  const operator = await operatorOf(c.req.raw, config(c.env), session, accepted, () => stub.ownerEpoch());
  return { stub, operator };
}

lifecycle.get('/api/sessions/:session', async (c) => {
  const { stub } = await authorized(c, ['admin', 'session', 'owner']);
  return c.json(await stub.info());
});

lifecycle.delete('/api/sessions/:session', async (c) => {
  const { stub, operator } = await authorized(c, ['admin', 'session']);
  return c.json(await stub.end(operator.kind === 'admin' ? 'ended' : 'ended_by_session'));
});

/** `asleep` or `awake` as the API takes them; `awake` is the state `active`. */
const STATES: Record<string, SessionState> = { asleep: 'asleep', awake: 'active' };

lifecycle.patch('/api/sessions/:session', async (c) => {
  const { stub } = await authorized(c, ['admin']);
  const { state } = await jsonBody(c.req.raw);
  const next = typeof state === 'string' && Object.hasOwn(STATES, state) ? STATES[state] : undefined;
  if (next === undefined) throw badRequest('state must be "asleep" or "awake".');
  return c.json(await stub.setState(next));
});

// Any other method (hono answers HEAD with GET's route): 405, not the owner API's 401 further on.
lifecycle.all('/api/sessions/:session', () => {
  throw methodNotAllowed('GET, DELETE, PATCH', 'A session is read with GET, ended with DELETE, marked with PATCH.');
});
