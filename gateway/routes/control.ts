/**
 * The control plane on CONTROL_DOMAIN (docs/hosts.md): admin (session creation, health), a
 * session's lifecycle (state, asleep/awake, end),
 * the owner API and the event feed (events.ts), the client's tunnel, the dashboard, and sign-in (/auth). Errors are not
 * answered here: they go on to the Worker's one catch-all (index.ts), the
 * same path a preview's errors take.
 */
import { Hono } from 'hono';
import type { AppEnv } from '../env';
import { notFound } from '../errors';
import { admin } from './admin';
import { auth } from './auth';
import { dashboard } from './dashboard';
import { events } from './events';
import { forward } from './forward';
import { lifecycle } from './lifecycle';
import { ownerApi } from './owner-api';
import { tunnel } from './tunnel';

export const control = new Hono<AppEnv>();

control.onError((error) => {
  throw error;
});
control.notFound(() => {
  throw notFound();
});

control.route('/', admin);
// Before the owner API, whose owner-token check covers every path under /api/sessions/<session>.
control.route('/', lifecycle);
// Before the owner API: its middleware takes owner tokens only, the feed takes admin and session tokens too.
control.route('/api/sessions/:session', events);
// Before the owner API too: forwarding takes a sign-in as well as an owner token.
control.route('/api/sessions/:session', forward);
control.route('/api/sessions/:session', ownerApi);
control.route('/', tunnel);
control.route('/', dashboard);
control.route('/', auth);
