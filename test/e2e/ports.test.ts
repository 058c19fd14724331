import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PortView } from '../../client/events';
import { PortFilter } from '../../client/ports/filters';
import { afterTest, type Harness, type RunningAgent, request, startAgent, startHarness } from './harness';
import { freePorts, nodeServer, pythonServer } from './servers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

/** An agent that detects exactly these ports (tests running alongside bind others). */
function watching(ports: number[], extra: { ignore?: string[]; backoff?: { baseMs: number; capMs: number } } = {}) {
  return startAgent(h, [], {
    watch: { filter: new PortFilter({ only: ports.map(String), ignore: extra.ignore }), intervalMs: 50 },
    ...(extra.backoff ? { backoff: extra.backoff } : {}),
  });
}

function opened(a: RunningAgent, port: number, what = `port.open ${port}`, after = 0) {
  return a.event((e) => e.event === 'port.open' && e.port === port && a.events.indexOf(e) >= after, what) as Promise<
    { event: 'port.open' } & PortView
  >;
}

function closed(a: RunningAgent, port: number, after = 0) {
  return a.event(
    (e) => e.event === 'port.close' && e.port === port && a.events.indexOf(e) >= after,
    `port.close ${port}`,
  );
}

describe('automatic port detection', () => {
  it('announces servers bound on 127.0.0.1, ::1, 0.0.0.0 and :: with their process, and serves them', async () => {
    const hosts = ['127.0.0.1', '::1', '0.0.0.0', '::'];
    const ports = await freePorts(hosts.length);
    const a = await watching(ports);
    await Promise.all(hosts.map((host, i) => nodeServer(ports[i] as number, host, `hello via ${host}`)));
    for (const [i, host] of hosts.entries()) {
      const open = await opened(a, ports[i] as number);
      expect(open.process).toBe('node');
      expect(open.visibility).toBe('public');
      const reply = await request(h.gateway, open.url);
      expect(reply.status).toBe(200);
      expect(reply.body.toString()).toBe(`hello via ${host}`);
    }
  });

  it('a closed port says "not exposed by this session right now", as HTML and JSON', async () => {
    const [port] = (await freePorts(1)) as [number];
    const a = await watching([port]);
    const server = await nodeServer(port, '127.0.0.1');
    const { url } = await opened(a, port);
    await server.stop();
    await closed(a, port);
    const json = await request(h.gateway, url);
    expect(json.status).toBe(503);
    expect(JSON.parse(json.body.toString())).toMatchObject({ error: 'port_not_listening' });
    const html = await request(h.gateway, url, { headers: { accept: 'text/html' } });
    expect(html.status).toBe(503);
    expect(html.body.toString()).toContain(`Port ${port} is not exposed by this session right now`);
  });

  it('serves a python3 -m http.server directory listing', async () => {
    const [port] = (await freePorts(1)) as [number];
    const dir = mkdtempSync(join(tmpdir(), 'porthole-py-'));
    afterTest(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'hello-from-python.txt'), 'hi');
    const a = await watching([port]);
    await pythonServer(port, '0.0.0.0', dir);
    const open = await opened(a, port);
    expect(open.process).toBe('python3');
    const reply = await request(h.gateway, open.url);
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toContain('hello-from-python.txt');
  });

  it('a port bound before the client started counts, and later ones still appear', async () => {
    const [port, later] = (await freePorts(2)) as [number, number];
    await nodeServer(port, '127.0.0.1', 'already here');
    const a = await watching([port, later]);
    const ready = a.events.find((e) => e.event === 'ready') as { ports: PortView[] };
    expect(ready.ports.map((p) => p.port)).toContain(port);
    const reply = await request(h.gateway, (await opened(a, port)).url);
    expect(reply.body.toString()).toBe('already here');
    // The first scan found a port; the watcher must keep scanning after it.
    await nodeServer(later, '127.0.0.1', 'bound later');
    expect((await request(h.gateway, (await opened(a, later)).url)).body.toString()).toBe('bound later');
  });

  it('a port closed and re-bound by another process shows the new process', async () => {
    const [port] = (await freePorts(1)) as [number];
    const dir = mkdtempSync(join(tmpdir(), 'porthole-py-'));
    afterTest(() => rmSync(dir, { recursive: true, force: true }));
    const a = await watching([port]);
    const first = await nodeServer(port, '127.0.0.1');
    expect((await opened(a, port)).process).toBe('node');
    await first.stop();
    const mark = a.events.length;
    await pythonServer(port, '127.0.0.1', dir);
    const reopened = await opened(a, port, 'port re-opened by python3', mark);
    expect(reopened.process).toBe('python3');
    expect((await request(h.gateway, reopened.url)).status).toBe(200);
  });

  it('--ignore and --only decide which ports get a URL', async () => {
    const [allowed, ignored, outside] = (await freePorts(3)) as [number, number, number];
    const a = await watching([allowed, ignored], { ignore: [String(ignored)] });
    // Bound first, the two refused ports are seen by the scan that finds the allowed one.
    await nodeServer(ignored, '127.0.0.1');
    await nodeServer(outside, '127.0.0.1');
    await nodeServer(allowed, '127.0.0.1');
    await opened(a, allowed);
    const announced = a.events.filter((e) => e.event === 'port.open').map((e) => (e as PortView).port);
    expect(announced).toEqual([allowed]);
    expect(a.agent.ports().map((p) => p.port)).toEqual([allowed]);
  });

  it('after a reconnect the gateway forgets ports that closed while the tunnel was down', async () => {
    const [stays, goes] = (await freePorts(2)) as [number, number];
    const a = await watching([stays, goes], { backoff: { baseMs: 1500, capMs: 1500 } });
    await nodeServer(stays, '127.0.0.1', 'still here');
    const going = await nodeServer(goes, '127.0.0.1');
    await opened(a, stays);
    const goneUrl = (await opened(a, goes)).url;
    a.agent.connection?.terminate();
    await a.event((e) => e.event === 'tunnel.down', 'tunnel.down');
    await going.stop();
    await closed(a, goes);
    const ups = () => a.events.filter((e) => e.event === 'tunnel.up').length;
    await a.event(() => ups() === 2, 'tunnel back up');
    expect((await request(h.gateway, goneUrl)).status).toBe(503);
    expect((await request(h.gateway, a.agent.ports().find((p) => p.port === stays)!.url)).body.toString()).toBe(
      'still here',
    );
  });
});
