/**
 * The owner API, `/api/sessions/<session>/…`: JSON for the CLI, the
 * dashboard's script and any tool, with an owner token as Bearer (a session
 * token only for `POST /owner-token`). The Session object does the work
 * (RPC); this file checks the token and the input.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import {
  type ApiOwnerToken,
  type ApiSignOut,
  type ExposeRequest,
  isVisibility,
  VISIBILITIES,
  LINK_TTL,
  LOGIN_TTL,
  MAX_LINK_LABEL,
  OWNER_TTL,
  portLabelProblem,
} from '../../protocol';
import { isSessionId } from '../../protocol/ids';
import { grantOf, type OwnerGrant, requireEpoch } from '../access/owner-grant';
import { tokenForOtherSession } from '../access/refusals';
import { mintToken } from '../auth/tokens';
import { config } from '../config';
import type { AppEnv } from '../env';
import { notFound, sessionEnded } from '../errors';
import { badRequest, noSuchLink, tooManyVisibilityChoices } from '../control-errors';
import { FRONT_LEFT_HEADER, frontRequestId } from '../routing/disconnect';
import { sessionStub } from '../routing/stub';
import { orgPolicyMissing } from '../identity/org-policy';
import { ownerPortRefusal } from '../session/owner-ports';
import { VISIBILITY_CHOICES_PER_SECOND } from '../session/shares';
import { type Base, baseOf } from '../routing/route';
import { bearerClaims, jsonBody, portOf, ttlOf } from './input';
import { operatorOf } from './operator-auth';
import { ownerLeft, readRequestLog } from './owner-requests';

type OwnerEnv = AppEnv & { Variables: { session: string; base: Base; grant: OwnerGrant; expiresAt: number } };

export const ownerApi = new Hono<OwnerEnv>();

/**
 * An owner token, a new grant (owner-grant.ts) of the current sign-out epoch: the session's client
 * trades its session token for one, which ends with that token; the platform's operator trades the
 * admin token (the SDK's PortholeAdmin.session(id)), and its grant ends with the session's own token
 * (`until`, kept by the Session object since creation). A session without that record, or past it,
 * has ended: 410 `session_ended`.
 */
ownerApi.post('/owner-token', async (c) => {
  const session = c.req.param('session') ?? '';
  if (!isSessionId(session)) throw notFound();
  const cfg = config(c.env);
  const object = sessionStub(c.env, session);
  const caller = await operatorOf(c.req.raw, cfg, session, ['admin', 'session'], () => object.ownerEpoch());
  const body = await jsonBody(c.req.raw);
  const until = caller.kind === 'admin' ? (await object.sessionIdentity()).until : caller.expiresAt;
  const left = until === null ? 0 : until - Math.floor(Date.now() / 1000);
  if (until === null || left <= 0) throw sessionEnded();
  // The expiry as minted (whole seconds, never past the grant), so that `expiresAt` is the token's own.
  const expiresAt = Math.floor(Date.now() / 1000) + Math.min(ttlOf(body.ttl, OWNER_TTL), left);
  const epoch = await object.ownerEpoch();
  const token = await mintToken(cfg, 'owner', { session, expiresAt, until, epoch });
  const reply: ApiOwnerToken = { token, session, expiresAt: new Date(expiresAt * 1000).toISOString() };
  return c.json(reply, 201);
});

/**
 * The local front's word that the owner of a request-log read left (routing/disconnect.ts): it names
 * the read by the front's unguessable id and carries no credential (the front drops the header from
 * what anyone sends); only a read this isolate started is passed on (owner-requests.ts ownerLeft).
 * Any other POST goes on to the owner check.
 */
const readLeft: MiddlewareHandler<OwnerEnv> = async (c, next) => {
  const id = frontRequestId(c.req.raw, FRONT_LEFT_HEADER);
  if (id === null) return next();
  await ownerLeft(c.env, c.req.param('session') ?? '', id);
  return c.body(null, 204);
};
ownerApi.post('/requests', readLeft);
ownerApi.post('/requests/:id', readLeft);

ownerApi.use('*', async (c, next) => {
  const session = c.req.param('session') ?? '';
  if (!isSessionId(session)) throw notFound();
  const claims = await bearerClaims(c.req.raw, config(c.env), 'owner', 'The owner API needs an owner token');
  if (claims.session !== session) throw tokenForOtherSession();
  requireEpoch(claims, await sessionStub(c.env, session).ownerEpoch(), 'token');
  c.set('grant', grantOf(claims));
  c.set('expiresAt', claims.expiresAt);
  c.set('session', session);
  c.set('base', baseOf(new URL(c.req.url)));
  await next();
});

const VISIBILITY_CHOICES = `visibility must be one of ${VISIBILITIES.join(', ')}.`;

const stub = (c: { env: AppEnv['Bindings']; var: { session: string } }) => sessionStub(c.env, c.var.session);

ownerApi.get('/status', async (c) => c.json(await stub(c).status()));

ownerApi.get('/ports', async (c) => c.json({ ports: await stub(c).listPorts(c.var.base) }));

ownerApi.patch('/ports/:port', async (c) => {
  const port = portOf(c.req.param('port'));
  const { visibility } = await jsonBody(c.req.raw);
  if (!isVisibility(visibility)) throw badRequest(VISIBILITY_CHOICES);
  const chosen = await stub(c).setVisibility(c.var.base, port, visibility);
  if (chosen === 'too_many_requests') throw tooManyVisibilityChoices(VISIBILITY_CHOICES_PER_SECOND);
  if (chosen === 'org_policy_missing') throw orgPolicyMissing();
  return c.json(chosen);
});

/**
 * Ask the session's client to expose a port (any 1–65535), with an optional label and visibility:
 * 202, the client applies it and the port list shows the result. 409 `offline` without a tunnel;
 * 409 `too_many_ports` for a new port when the session's table is full (MAX_PORTS).
 */
ownerApi.post('/ports', async (c) => {
  const body = await jsonBody(c.req.raw);
  const request: ExposeRequest = { port: portOf(body.port) };
  if (body.label !== undefined) {
    const problem = portLabelProblem(body.label);
    if (problem) throw badRequest(`${problem}.`);
    request.label = body.label as string;
  }
  if (body.visibility !== undefined) {
    if (!isVisibility(body.visibility)) throw badRequest(VISIBILITY_CHOICES);
    request.visibility = body.visibility;
  }
  const outcome = await stub(c).requestExpose(request);
  if (outcome === 'org_policy_missing') throw orgPolicyMissing();
  if (outcome !== 'sent') throw ownerPortRefusal(outcome, config(c.env).maxPorts);
  return c.json({ port: request.port, requested: 'expose' }, 202);
});

/** Ask the session's client to stop exposing a port, whatever exposed it: 202; 409 `offline` without a tunnel. */
ownerApi.delete('/ports/:port', async (c) => {
  const port = portOf(c.req.param('port'));
  const outcome = await stub(c).requestUnexpose(port);
  if (outcome !== 'sent') throw ownerPortRefusal(outcome, config(c.env).maxPorts);
  return c.json({ port, requested: 'unexpose' }, 202);
});

ownerApi.post('/login', async (c) => {
  const body = await jsonBody(c.req.raw);
  return c.json(await stub(c).loginLink(c.var.base, portOf(body.port), ttlOf(body.ttl, LOGIN_TTL), c.var.grant), 201);
});

ownerApi.get('/links', async (c) => c.json({ links: await stub(c).listLinks(c.var.base) }));

ownerApi.post('/links', async (c) => {
  const body = await jsonBody(c.req.raw);
  const port = portOf(body.port);
  const ttl = ttlOf(body.ttl, LINK_TTL);
  const label = body.label;
  if (label !== undefined && (typeof label !== 'string' || label.length > MAX_LINK_LABEL)) {
    throw badRequest(`label must be a string of at most ${MAX_LINK_LABEL} characters.`);
  }
  return c.json(await stub(c).createLink(c.var.base, port, ttl, label || undefined), 201);
});

ownerApi.delete('/links/:id', async (c) => {
  const id = c.req.param('id');
  const revoked = /^[a-z2-7]{1,32}$/.test(id) ? await stub(c).revokeLink(c.var.base, id) : null;
  if (!revoked) throw noSuchLink(id);
  return c.json({ ...revoked, revoked: true });
});

/** The client's request log (owner-requests.ts): a list, a follow (`follow=1`, NDJSON), or one request. */
const owner = (c: { var: OwnerEnv['Variables'] }) => c.var;
ownerApi.get('/requests', (c) => readRequestLog(c.env, c.executionCtx, c.req.raw, owner(c)));
ownerApi.get('/requests/:id', (c) => readRequestLog(c.env, c.executionCtx, c.req.raw, owner(c), c.req.param('id')));

ownerApi.post('/dashboard', async (c) => {
  const body = await jsonBody(c.req.raw);
  return c.json(await stub(c).dashboardLink(c.var.base, ttlOf(body.ttl, LOGIN_TTL), c.var.grant), 201);
});

/**
 * Sign out everywhere: every owner token, login link and owner cookie (dashboard and previews) of the
 * session is refused from now on, the caller's own token too. The session token keeps working.
 */
ownerApi.post('/signout', async (c) => {
  const { epoch } = await stub(c).signOutEverywhere();
  const reply: ApiSignOut = { session: c.var.session, signedOut: true, epoch };
  return c.json(reply);
});
