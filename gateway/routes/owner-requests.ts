/**
 * The owner API's request-log routes, `GET /api/sessions/<session>/requests[?…]` and
 * `…/requests/<id>`: the session's client answers from its request log through the tunnel
 * (session/request-log.ts). The Worker checks the query (only the log's own parameters, each of
 * bounded length; the client checks their values) and gives the answer its own headers: JSON, or
 * NDJSON for a follow (`follow=1`), never sniffed, never cached. None of the client's headers pass.
 */
import type { OwnerGrant } from '../access/owner-grant';
import { signedOut } from '../access/owner-grant';
import type { Env } from '../env';
import { frontRequestId, onViewerLeft, type WaitUntil } from '../routing/disconnect';
import { GatewayError } from '../errors';
import { methodNotAllowed } from '../control-errors';
import type { Base } from '../routing/route';
import { BoundedCache } from '../bounded-cache';
import { sessionStub } from '../routing/stub';
import { logTarget } from './log-query';

/**
 * Reads this isolate started, by request id, with their session: the local front's word that an
 * owner left (ownerLeft) is passed on only for one of them, so a made-up id never wakes a Session
 * object. (Where the front runs, one isolate serves every request; where it does not, the runtime's
 * own abort signal reports the owner leaving.)
 */
const startedReads = new BoundedCache<string, string>(1024);

/**
 * The local front says the owner of the read `requestId` in `session` left: tell its Session object,
 * if this isolate started that read. False if it did not.
 */
export async function ownerLeft(env: Env, session: string, requestId: string): Promise<boolean> {
  if (startedReads.get(requestId) !== session) return false;
  startedReads.delete(requestId); // An owner leaves once: its entry must not push out a live read's.
  return sessionStub(env, session).requestLogLeft(requestId);
}

/** Headers of every answer passed on from the client's log. */
const ANSWER_HEADERS = { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };

/**
 * The owner's read of `session`'s request log (`request`'s URL; `id` for one request), for an owner
 * credential of `grant` that expires at `expiresAt` (seconds since the epoch: a follow ends then).
 * An owner who disconnects is reported to the Session object by id (routing/disconnect.ts), which
 * ends the read at once: the runtime does not cancel a body across the hop by itself.
 */
export async function readRequestLog(
  env: Env,
  ctx: WaitUntil,
  request: Request,
  owner: { session: string; base: Base; grant: OwnerGrant; expiresAt: number },
  id?: string,
): Promise<Response> {
  // A HEAD would open a read whose body nobody takes (hono routes HEAD to GET handlers).
  if (request.method !== 'GET') {
    throw methodNotAllowed('GET', 'The request log is read with GET.');
  }
  const { path, follow } = logTarget(new URL(request.url), id);
  const stub = sessionStub(env, owner.session);
  const requestId = onViewerLeft(
    request.signal,
    ctx,
    (left) => stub.requestLogLeft(left),
    frontRequestId(request) ?? undefined,
  );
  startedReads.set(requestId, owner.session);
  const reply = await stub
    .readRequestLog({ path, follow, host: owner.base.host, until: owner.expiresAt, requestId }, owner.grant.epoch)
    .catch((error: unknown) => {
      startedReads.delete(requestId);
      throw error;
    });
  // Only a read that goes on keeps its entry: refusals, however many, never push out a live read's.
  if (reply.kind !== 'answer') startedReads.delete(requestId);
  if (reply.kind === 'signed_out') throw signedOut('token');
  if (reply.kind === 'refused') {
    throw new GatewayError(reply.status, reply.code, reply.message, { headers: reply.headers });
  }
  const type = reply.ndjson ? 'application/x-ndjson' : 'application/json';
  return new Response(reply.body, { status: reply.status, headers: { 'content-type': type, ...ANSWER_HEADERS } });
}
