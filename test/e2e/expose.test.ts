/**
 * Runtime expose and unexpose (issue 16 item 1), with the real gateway in workerd and the real
 * client: a port the watcher leaves out (the ephemeral range) gets a URL with one call and loses it
 * with another; labels travel HELLO/PORTS → the Session's table → WELCOME and the owner API; the
 * owner's POST /ports reaches the client as EXPOSE; a client cannot send EXPOSE to the gateway.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { AgentEvent } from '../../client/events';
import { lookup } from '../../client/net/lookup';
import { ExposeError } from '../../client/ports/exposure';
import { kernelEphemeralRange, PortFilter } from '../../client/ports/filters';
import { CloseCode, encode, SUBPROTOCOL } from '../../protocol';
import {
  afterTest,
  createSession,
  type Harness,
  request,
  type RunningAgent,
  startAgent,
  startHarness,
  startOrigin,
  waitFor,
} from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

/** A client that watches ports with the default rules (ephemeral ports left out). */
const watching = () => startAgent(h, [], { watch: { filter: new PortFilter({}), intervalMs: 50 } });

/** An origin on a port of the kernel's ephemeral range (port 0 gets one), answering `text`. */
async function ephemeralOrigin(text: string) {
  const origin = await startOrigin((_req, res) => res.end(text));
  const [low, high] = kernelEphemeralRange();
  expect(origin.port >= low && origin.port <= high, `port ${origin.port} in ${low}-${high}`).toBe(true);
  return origin;
}

/** The first `type` event for `port` from event number `after` on. */
function portEvent<T extends 'port.open' | 'port.close'>(a: RunningAgent, type: T, port: number, after: number) {
  return a.event(
    (e) => e.event === type && e.port === port && a.events.indexOf(e) >= after,
    `${type} ${port}`,
  ) as Promise<Extract<AgentEvent, { event: T }>>;
}

async function ownerGet(a: RunningAgent, path: string) {
  const { token } = await a.agent.api.ownerToken();
  return request(h.gateway, `/api/sessions/${a.session}${path}`, { headers: { authorization: `Bearer ${token}` } });
}

async function ownerSend(a: RunningAgent, method: string, path: string, body?: unknown) {
  const { token } = await a.agent.api.ownerToken();
  return request(h.gateway, `/api/sessions/${a.session}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

describe('runtime expose', () => {
  it('exposes an ephemeral port with a label: its URL answers; unexposed, it refuses with what to run', async () => {
    const origin = await ephemeralOrigin('from an ephemeral port');
    const a = await watching();
    expect(a.agent.exposure(origin.port)).toMatchObject({ exposed: false, canExpose: true });
    expect(String((a.agent.exposure(origin.port) as { reason: string }).reason)).toMatch(/ephemeral range/);

    const before = a.events.length;
    a.agent.expose(origin.port, { label: 'Test fixture', source: 'expose' });
    const open = await portEvent(a, 'port.open', origin.port, before);
    expect(open).toMatchObject({ label: 'Test fixture', source: 'expose', visibility: 'public' });
    const reply = await request(h.gateway, open.url);
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe('from an ephemeral port');
    // The label is in the Session's table: the owner API shows it.
    const listed = JSON.parse((await ownerGet(a, '/ports')).body.toString()) as { ports: { port: number }[] };
    expect(listed.ports.find((p) => p.port === origin.port)).toMatchObject({ label: 'Test fixture' });
    expect(await a.agent.portStatus(origin.port)).toMatchObject([{ listening: true, source: 'expose' }]);

    const closing = a.events.length;
    expect(a.agent.unexpose(origin.port)).toBe(true);
    await portEvent(a, 'port.close', origin.port, closing);
    const refused = await request(h.gateway, open.url, { headers: { accept: 'text/html' } });
    expect(refused.status).toBe(503);
    expect(refused.body.toString()).toContain(`Port ${origin.port} is not exposed by this session`);
    expect(refused.body.toString()).toContain(`porthole expose ${origin.port}`);
    expect(a.agent.exposure(origin.port)).toMatchObject({ exposed: false, reason: expect.stringMatching(/unexposed/) });
    expect(a.agent.unexpose(origin.port)).toBe(false);
  });

  it('an exposed port stays exposed with nothing listening; the gateway port and bad labels are refused', async () => {
    const origin = await ephemeralOrigin('soon gone');
    const a = await watching();
    const before = a.events.length;
    a.agent.expose(origin.port, { source: 'expose' });
    const open = await portEvent(a, 'port.open', origin.port, before);
    await origin.close();
    expect(await a.agent.portStatus(origin.port)).toMatchObject([{ port: origin.port, listening: false }]);
    // Still exposed: the gateway reaches the client, which finds nothing listening.
    expect((await request(h.gateway, open.url)).status).toBe(502);
    expect(() => a.agent.expose(h.gateway.port, { source: 'expose' })).toThrow(ExposeError);
    expect(() => a.agent.expose(h.gateway.port, { source: 'expose' })).toThrow(/gateway's own port/);
    expect(() => a.agent.expose(3000, { label: 'a\nb', source: 'expose' })).toThrow(/control characters/);
    expect(() => a.agent.expose(3000, { label: 'x'.repeat(65), source: 'expose' })).toThrow(/1 to 64/);
    expect(() => a.agent.expose(70000, { source: 'expose' })).toThrow(/1 to 65535/);
  });
});

describe("the owner's expose and unexpose (owner API → EXPOSE / UNEXPOSE)", () => {
  it('reaches the client, which exposes the port with its label; DELETE unexposes it', async () => {
    const origin = await ephemeralOrigin('exposed by the owner');
    const a = await watching();
    const before = a.events.length;
    const asked = await ownerSend(a, 'POST', '/ports', { port: origin.port, label: 'From the dashboard' });
    expect(asked.status).toBe(202);
    expect(JSON.parse(asked.body.toString())).toEqual({ port: origin.port, requested: 'expose' });
    const open = await portEvent(a, 'port.open', origin.port, before);
    expect(open).toMatchObject({ label: 'From the dashboard', source: 'expose' });
    expect((await request(h.gateway, open.url)).body.toString()).toBe('exposed by the owner');

    const closing = a.events.length;
    expect((await ownerSend(a, 'DELETE', `/ports/${origin.port}`)).status).toBe(202);
    await portEvent(a, 'port.close', origin.port, closing);
    expect((await request(h.gateway, open.url)).status).toBe(503);
  });

  it('refuses bad input with 400, and 409 offline while no client is connected', async () => {
    const a = await watching();
    for (const body of [
      { port: 0 },
      { port: 3000, label: '' },
      { port: 3000, label: 'tab\there' },
      { port: 3000, label: 'x'.repeat(65) },
      { port: 3000, visibility: 'everyone' },
    ]) {
      const reply = await ownerSend(a, 'POST', '/ports', body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(JSON.parse(reply.body.toString())).toMatchObject({ error: 'bad_request' });
    }
    const { token } = await a.agent.api.ownerToken();
    a.agent.stop();
    await waitFor(
      async () => JSON.parse((await ownerGet(a, '/status')).body.toString()).tunnel === 'offline',
      'the session to be offline',
    );
    const offline = await request(h.gateway, `/api/sessions/${a.session}/ports`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: JSON.stringify({ port: 3000 }),
    });
    expect(offline.status).toBe(409);
    expect(JSON.parse(offline.body.toString())).toMatchObject({ error: 'offline' });
  });

  it('ATTACK: a client sending EXPOSE to the gateway breaks the protocol and is closed with 1002', async () => {
    const { token } = await createSession(h);
    const ws = new WebSocket(`${h.gateway.url.replace('http', 'ws')}/connect`, [SUBPROTOCOL], {
      headers: { authorization: `Bearer ${token}` },
      lookup,
    });
    afterTest(() => ws.terminate());
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const closed = new Promise<[number, string]>((resolve) =>
      ws.once('close', (code, why) => resolve([code, `${why}`])),
    );
    ws.send(encode({ type: 'EXPOSE', stream: 0, body: { port: 22 } }));
    const [code, reason] = await closed;
    expect(code).toBe(CloseCode.PROTOCOL_ERROR);
    expect(reason).toMatch(/EXPOSE is not sent to the gateway/);
  });
});
