/**
 * The session's event feed for the operator's backend, `GET /api/sessions/<session>/events`
 * (docs/events.md): server-sent events from the Session object (session/events.ts). Accepts the
 * admin token, the session's session token, or an owner token of it (operator-auth.ts); mounted
 * before the owner API, whose middleware takes owner tokens only. A feed ends when the credential
 * that opened it expires (the admin token never does) or, for an owner token, at a sign-out. A
 * reader who leaves is reported to the Session object by request id (routing/disconnect.ts), which
 * frees its place among the session's MAX_EVENT_FEEDS at once.
 */
import { Hono } from 'hono';
import { MAX_EVENT_FEEDS } from '../../protocol';
import { isSessionId } from '../../protocol/ids';
import { grantOf, signedOut } from '../access/owner-grant';
import { BoundedCache } from '../bounded-cache';
import { config } from '../config';
import type { AppEnv } from '../env';
import { notFound } from '../errors';
import { methodNotAllowed, tooManyFeeds } from '../control-errors';
import { FRONT_LEFT_HEADER, frontRequestId, onViewerLeft } from '../routing/disconnect';
import { baseOf } from '../routing/route';
import { sessionStub } from '../routing/stub';
import { operatorOf } from './operator-auth';

export const events = new Hono<AppEnv>();

/** Feeds this isolate opened, by request id, with their session (as owner-requests.ts keeps its reads). */
const startedFeeds = new BoundedCache<string, string>(1024);

/**
 * The local front's word that the reader of a feed left (routing/disconnect.ts): passed on only for
 * a feed this isolate opened, so a made-up id never wakes a Session object. Any other POST goes on.
 */
events.post('/events', async (c, next) => {
  const id = frontRequestId(c.req.raw, FRONT_LEFT_HEADER);
  if (id === null) return next();
  const session = c.req.param('session') ?? '';
  if (startedFeeds.get(id) === session) {
    startedFeeds.delete(id); // A reader leaves once: its entry must not push out a live feed's.
    await sessionStub(c.env, session).eventFeedLeft(id);
  }
  return c.body(null, 204);
});

events.get('/events', async (c) => {
  const session = c.req.param('session') ?? '';
  if (!isSessionId(session)) throw notFound();
  // A HEAD would open a feed whose body nobody takes (hono routes HEAD to GET handlers).
  if (c.req.method !== 'GET') {
    throw methodNotAllowed('GET', 'The event feed is read with GET.');
  }
  const stub = sessionStub(c.env, session);
  const operator = await operatorOf(c.req.raw, config(c.env), session, ['admin', 'session', 'owner'], () =>
    stub.ownerEpoch(),
  );
  const requestId = onViewerLeft(
    c.req.raw.signal,
    c.executionCtx,
    (left) => stub.eventFeedLeft(left),
    frontRequestId(c.req.raw) ?? undefined,
  );
  startedFeeds.set(requestId, session);
  const grant =
    operator.kind === 'admin'
      ? { admin: true, until: null, epoch: null, requestId }
      : {
          until: operator.expiresAt,
          epoch: operator.kind === 'owner' ? grantOf(operator.claims).epoch : null,
          requestId,
        };
  const feed = await stub.eventFeed(baseOf(new URL(c.req.url)), grant).catch((error: unknown) => {
    startedFeeds.delete(requestId);
    throw error;
  });
  // Only an open feed keeps its entry: refusals, however many, never push out a live feed's.
  if (typeof feed === 'string') startedFeeds.delete(requestId);
  if (feed === 'too_many_feeds') throw tooManyFeeds(MAX_EVENT_FEEDS);
  if (feed === 'signed_out') throw signedOut('token');
  return new Response(feed, {
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
  });
});
