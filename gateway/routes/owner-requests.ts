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
import { badRequest, GatewayError } from '../errors';
import type { Base } from '../routing/route';
import { sessionStub } from '../routing/stub';

/** The query parameters of the request-log routes (client/requests/query.ts), each with its longest value. */
export const LOG_QUERY_LENGTHS: Readonly<Record<string, number>> = {
  port: 5,
  status: 5,
  method: 32,
  path: 1024,
  viewer: 16,
  after: 15,
  limit: 6,
  follow: 4,
};

/**
 * The client's route for `url` (`/v1/requests?…`, or `/v1/requests/<id>` for `id`) and whether it is
 * a follow; a 400 `bad_request` naming the parameter for anything else.
 */
export function logTarget(url: URL, id?: string): { path: string; follow: boolean } {
  if (id !== undefined) {
    if (!/^[1-9][0-9]{0,14}$/.test(id)) throw badRequest('The request id must be a whole number from 1.');
    if (url.search !== '') throw badRequest('A request is read without query parameters.');
    return { path: `/v1/requests/${id}`, follow: false };
  }
  const query = new URLSearchParams();
  const seen = new Set<string>();
  for (const [name, value] of url.searchParams) {
    const longest = Object.hasOwn(LOG_QUERY_LENGTHS, name) ? LOG_QUERY_LENGTHS[name] : undefined;
    if (longest === undefined) {
      throw badRequest(
        `Unknown parameter ${JSON.stringify(name.slice(0, 32))}: the request log takes ${Object.keys(LOG_QUERY_LENGTHS).join(', ')}.`,
      );
    }
    if (seen.has(name)) throw badRequest(`The parameter ${name} is given twice.`);
    if (value.length > longest) throw badRequest(`The parameter ${name} is longer than ${longest} characters.`);
    seen.add(name);
    query.set(name, value);
  }
  const follow = query.get('follow');
  if (follow !== null && follow !== '1' && follow !== 'true') throw badRequest('follow must be 1 or true.');
  const search = query.toString();
  return { path: `/v1/requests${search ? `?${search}` : ''}`, follow: follow !== null };
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
  const { path, follow } = logTarget(new URL(request.url), id);
  const stub = sessionStub(env, owner.session);
  const requestId = onViewerLeft(
    request.signal,
    ctx,
    (left) => stub.requestLogLeft(left),
    frontRequestId(request) ?? undefined,
  );
  const reply = await stub.readRequestLog(
    { path, follow, host: owner.base.host, until: owner.expiresAt, requestId },
    owner.grant.epoch,
  );
  if (reply.kind === 'signed_out') throw signedOut('token');
  if (reply.kind === 'refused') {
    throw new GatewayError(reply.status, reply.code, reply.message, { headers: reply.headers });
  }
  const type = reply.ndjson ? 'application/x-ndjson' : 'application/json';
  return new Response(reply.body, { status: reply.status, headers: { 'content-type': type, ...ANSWER_HEADERS } });
}
