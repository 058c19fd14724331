/**
 * A stranger learns nothing from a private port (issue 16 item 3): without the owner's credential,
 * one port's answer is the same refusal, byte for byte (status, the headers that matter, body),
 * whether its server is listening, stopped, never announced, or the whole session offline. The
 * owner's answer at each step is the positive control that the state was really reached. Link
 * and public ports keep their waiting answers for whoever may see them: a link holder, and anyone
 * on a public port (whose visibility outlives its server: session/last-visibility.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiLink, Visibility } from '../../protocol';
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

/** A client that announces exactly `port` as its watcher finds it, with `visibility`. */
function watching(port: number, visibility: Visibility): Promise<RunningAgent> {
  return startAgent(h, [], {
    watch: { filter: new PortFilter({ only: [String(port)] }), intervalMs: 50 },
    visibility: () => visibility,
  });
}

function portEvent(a: RunningAgent, event: 'port.open' | 'port.close', port: number) {
  return a.event((e) => e.event === event && 'port' in e && e.port === port, `${event} ${port}`);
}

/** The ways a stranger asks: a tool (JSON), a script wanting HTML, a browser's navigation. */
const STRANGERS: Record<string, Record<string, string>> = {
  tool: {},
  fetch: { accept: 'text/html,*/*', 'sec-fetch-dest': 'empty', 'sec-fetch-mode': 'cors' },
  navigation: { accept: 'text/html,*/*', 'sec-fetch-dest': 'document', 'sec-fetch-mode': 'navigate' },
};

/**
 * What a stranger can tell from an answer: its status, every header but `date`, and the body. The
 * sign-in redirect's `proof` is a fresh token each time (it carries its issue time), so only its
 * presence is kept.
 */
function seen(reply: Reply): unknown {
  const headers = { ...reply.headers };
  delete headers.date;
  if (typeof headers.location === 'string') {
    const location = new URL(headers.location);
    expect(location.searchParams.get('proof')).toBeTruthy();
    location.searchParams.set('proof', '…');
    headers.location = location.toString();
  }
  return { status: reply.status, headers, body: reply.body.toString() };
}

async function asStrangers(url: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [name, headers] of Object.entries(STRANGERS)) out[name] = seen(await request(h.gateway, url, { headers }));
  return out;
}

const errorOf = (reply: Reply) => JSON.parse(reply.body.toString()).error as string;

describe('a private port tells a stranger nothing of its state', () => {
  it('the same refusal whether the server listens, stopped, was never announced, or the session is offline', async () => {
    const [port] = (await freePorts(1)) as [number];
    const a = await watching(port, 'private');
    const url = `http://${signLabelForTest(h, a.session, port)}:${h.gateway.port}/`;
    const owner = { 'x-porthole-token': await mintForTest(h.tokenSecret, { aud: aud.owner, sub: a.session }) };
    const ownerSees = () => request(h.gateway, url, { headers: owner });
    const states: Record<string, Record<string, unknown>> = {};

    expect(errorOf(await ownerSees())).toBe('port_not_listening');
    states.neverAnnounced = await asStrangers(url);

    const server = await nodeServer(port, '127.0.0.1', 'the private app');
    await portEvent(a, 'port.open', port);
    expect((await ownerSees()).body.toString()).toBe('the private app');
    states.listening = await asStrangers(url);

    await server.stop();
    await portEvent(a, 'port.close', port);
    expect(errorOf(await ownerSees())).toBe('port_not_listening');
    states.stopped = await asStrangers(url);

    await a.agent.stop();
    await waitFor(async () => errorOf(await ownerSees()) === 'session_offline', 'the session offline');
    states.offline = await asStrangers(url);

    const tool = states.listening?.tool as { status: number; body: string; headers: Record<string, unknown> };
    expect(tool.status).toBe(401);
    expect(JSON.parse(tool.body).error).toBe('preview_private');
    expect(tool.headers['retry-after']).toBeUndefined();
    expect((states.listening?.navigation as { status: number }).status).toBe(303);
    for (const state of ['neverAnnounced', 'stopped', 'offline'])
      expect(states[state], state).toEqual(states.listening);
  });
});

describe('link and public ports keep their waiting answers', () => {
  it('a link holder sees a stopped server and an offline session; a stranger gets the same 401 throughout', async () => {
    const [port] = (await freePorts(1)) as [number];
    const a = await watching(port, 'link');
    const server = await nodeServer(port, '127.0.0.1', 'the shared app');
    await portEvent(a, 'port.open', port);
    const ownerToken = await mintForTest(h.tokenSecret, { aud: aud.owner, sub: a.session });
    const created = await request(h.gateway, `/api/sessions/${a.session}/links`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ownerToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ port, ttl: 600 }),
    });
    const link = new URL((JSON.parse(created.body.toString()) as ApiLink).url);
    const holder = { cookie: `porthole=${link.searchParams.get('porthole_share')}` };
    link.search = '';
    const url = link.toString();
    expect((await request(h.gateway, url, { headers: holder })).body.toString()).toBe('the shared app');
    const stranger = seen(await request(h.gateway, url));
    expect(stranger).toMatchObject({ status: 401 });

    await server.stop();
    await portEvent(a, 'port.close', port);
    expect(errorOf(await request(h.gateway, url, { headers: holder }))).toBe('port_not_listening');
    expect(seen(await request(h.gateway, url))).toEqual(stranger);

    await a.agent.stop();
    await waitFor(
      async () => errorOf(await request(h.gateway, url, { headers: holder })) === 'session_offline',
      'the session offline to the link holder',
    );
    expect(seen(await request(h.gateway, url))).toEqual(stranger);
  });

  it('anyone sees a public port wait for its server, not a refusal; a port never announced stays private', async () => {
    const [port, never] = (await freePorts(2)) as [number, number];
    const a = await watching(port, 'public');
    const server = await nodeServer(port, '127.0.0.1', 'the public app');
    const url = (await portEvent(a, 'port.open', port)) as { url: string };
    expect((await request(h.gateway, url.url)).body.toString()).toBe('the public app');
    await server.stop();
    await portEvent(a, 'port.close', port);
    const waiting = await request(h.gateway, url.url);
    expect([waiting.status, errorOf(waiting), waiting.headers['retry-after']]).toEqual([
      503,
      'port_not_listening',
      '2',
    ]);
    const unannounced = await request(h.gateway, `http://${signLabelForTest(h, a.session, never)}:${h.gateway.port}/`);
    expect([unannounced.status, errorOf(unannounced)]).toEqual([401, 'preview_private']);
  });
});
