/**
 * ATTACK (issue 16, the 401 ordering): a stranger must not tell a private port's state apart —
 * listening, stopped, never announced, or the session offline — by any way of asking, not only a
 * GET (private-states.test.ts): HEAD, POST, another path, a WebSocket upgrade, a bare OPTIONS, the
 * warning's "Continue" and a bogus URL credential (both answered before admission), and
 * a CORS preflight whose Origin is another port of the session (here a public one, whose URL
 * anyone may have). Such a preflight is let through without a credential so a sibling page's
 * credentialed fetch works (access/admission.ts); when the app cannot answer it (no tunnel, the
 * port not listening) it gets the stranger's refusal, never a `session_offline` or
 * `port_not_listening` that names the state. (While the app listens, its CORS answer comes back:
 * that a server answers there is what such a preflight tells, by design.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Visibility } from '../../protocol';
import { PortFilter } from '../../client/ports/filters';
import { type Harness, type Reply, request, type RunningAgent, startAgent, startHarness, waitFor } from './harness';
import { freePorts, nodeServer } from './servers';
import { signLabelForTest } from './sign';
import { aud, mintForTest } from './tokens';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

/** What a stranger can tell from an answer: status, every header but `date`, and the body. */
function seen(reply: Reply): unknown {
  const headers = { ...reply.headers };
  delete headers.date;
  return { status: reply.status, headers, body: reply.body.toString() };
}

function portEvent(a: RunningAgent, event: 'port.open' | 'port.close', port: number) {
  return a.event((e) => e.event === event && 'port' in e && e.port === port, `${event} ${port}`);
}

describe('ATTACK: a private port tells a stranger nothing of its state, however asked', () => {
  it('HEAD, POST, another path, an upgrade, OPTIONS and a sibling preflight: the same answer in every state', async () => {
    const [open, hidden] = (await freePorts(2)) as [number, number];
    const visibility = (port: number): Visibility => (port === open ? 'public' : 'private');
    const a = await startAgent(h, [], {
      watch: { filter: new PortFilter({ only: [String(open), String(hidden)] }), intervalMs: 50 },
      visibility,
    });
    const host = (port: number) => `http://${signLabelForTest(h, a.session, port)}:${h.gateway.port}`;
    const sibling = host(open);
    const url = `${host(hidden)}/`;
    const owner = { 'x-porthole-token': await mintForTest(h.tokenSecret, { aud: aud.owner, sub: a.session }) };
    const errorOf = (reply: Reply) => JSON.parse(reply.body.toString()).error as string;
    const ownerSees = () => request(h.gateway, url, { headers: owner });

    const ASKS: Record<string, { path?: string; method?: string; headers?: Record<string, string>; body?: string }> = {
      head: { method: 'HEAD' },
      post: { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' },
      path: { path: 'deep/path.js?x=1' },
      upgrade: {
        headers: {
          connection: 'Upgrade',
          upgrade: 'websocket',
          'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
          'sec-websocket-version': '13',
        },
      },
      options: { method: 'OPTIONS' },
      continue: { path: '?porthole_continue=1', headers: { accept: 'text/html' } },
      badShare: { path: '?porthole_share=not-a-token', headers: { accept: 'text/html' } },
      badLogin: { path: '?porthole_login=not-a-token' },
      siblingFetch: { headers: { origin: sibling, 'sec-fetch-mode': 'cors' } },
      preflight: {
        method: 'OPTIONS',
        headers: { origin: sibling, 'access-control-request-method': 'PUT', 'sec-fetch-mode': 'cors' },
      },
    };
    const ask = async (skip: string[] = []) => {
      const out: Record<string, unknown> = {};
      for (const [name, { path = '', ...options }] of Object.entries(ASKS)) {
        if (!skip.includes(name)) out[name] = seen(await request(h.gateway, url + path, options));
      }
      return out;
    };

    expect(errorOf(await ownerSees())).toBe('port_not_listening');
    const never = await ask();
    expect((never.preflight as { status: number }).status).toBe(401);

    const server = await nodeServer(hidden, '127.0.0.1', 'the private app');
    await portEvent(a, 'port.open', hidden);
    expect((await ownerSees()).body.toString()).toBe('the private app');
    // The app answers the sibling's preflight itself (that a server listens is what it tells).
    expect(await ask(['preflight'])).toEqual(without(never, 'preflight'));

    await server.stop();
    await portEvent(a, 'port.close', hidden);
    expect(errorOf(await ownerSees())).toBe('port_not_listening');
    expect(await ask()).toEqual(never);

    await a.agent.stop();
    await waitFor(async () => errorOf(await ownerSees()) === 'session_offline', 'the session offline');
    expect(await ask()).toEqual(never);
  });
});

function without(o: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy = { ...o };
  delete copy[key];
  return copy;
}
