/**
 * The session's event feed for the operator's backend, `GET /api/sessions/<session>/events`
 * (docs/events.md): server-sent events from the Session object (session/events.ts). Accepts the
 * admin token, the session's session token, or an owner token of it (operator-auth.ts); mounted
 * before the owner API, whose middleware takes owner tokens only. A feed ends when the credential
 * that opened it expires (the admin token never does) or, for an owner token, at a sign-out.
 */
import { Hono } from 'hono';
import { MAX_EVENT_FEEDS } from '../../protocol';
import { isSessionId } from '../../protocol/ids';
import { grantOf, signedOut } from '../access/owner-grant';
import { config } from '../config';
import type { AppEnv } from '../env';
import { notFound, tooManyFeeds } from '../errors';
import { baseOf } from '../routing/route';
import { sessionStub } from '../routing/stub';
import { operatorOf } from './operator-auth';

export const events = new Hono<AppEnv>();

events.get('/events', async (c) => {
  const session = c.req.param('session') ?? '';
  if (!isSessionId(session)) throw notFound();
  const stub = sessionStub(c.env, session);
  const operator = await operatorOf(c.req.raw, config(c.env), session, ['admin', 'session', 'owner'], () =>
    stub.ownerEpoch(),
  );
  const grant =
    operator.kind === 'admin'
      ? { until: null, epoch: null }
      : { until: operator.expiresAt, epoch: operator.kind === 'owner' ? grantOf(operator.claims).epoch : null };
  const feed = await stub.eventFeed(baseOf(new URL(c.req.url)), grant);
  if (feed === 'too_many_feeds') throw tooManyFeeds(MAX_EVENT_FEEDS);
  if (feed === 'signed_out') throw signedOut('token');
  return new Response(feed, {
    headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-store', 'x-accel-buffering': 'no' },
  });
});
