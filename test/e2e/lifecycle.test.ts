/**
 * The session across the gateway's own life: its Durable Object hibernating
 * while the tunnel idles, and the local gateway stopped and started again
 * with persisted state.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startGateway } from '../../client/dev/gateway';
import type { ApiStatus } from '../../protocol';
import { gatewayBundle } from '../../scripts/build.mjs';
import { freePort, type Harness, request, startAgent, startHarness, startOrigin } from './harness';

const closers: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const close of closers.reverse()) await close();
});

describe('session lifecycle', () => {
  it('an idle session hibernates despite keepalives, and the next viewer request is served normally', async () => {
    const h = await startHarness();
    closers.push(() => h.stop());
    const origin = await startOrigin((_req, res) => res.end('awake'));
    closers.push(() => origin.close());
    // Keepalive every second: answered by the runtime, it must not keep the object awake.
    const a = await startAgent(h, [origin.port], { keepaliveMs: 1000 });
    closers.push(() => a.agent.stop());
    const url = await a.agent.url(origin.port);
    const owner = (await a.agent.api.ownerToken()).token;
    const status = async () =>
      JSON.parse(
        (
          await request(h.gateway, `/api/sessions/${a.session}/status`, {
            headers: { authorization: `Bearer ${owner}` },
          })
        ).body.toString(),
      ) as ApiStatus;
    const before = await status();
    expect(before.tunnel).toBe('connected');

    // workerd hibernates an object idle for about 10 s; give it up to three chances.
    let after = before;
    for (let round = 0; round < 3 && after.awakeSince === before.awakeSince; round++) {
      await new Promise((resolve) => setTimeout(resolve, 12_000));
      const reply = await request(h.gateway, url);
      expect(reply.status).toBe(200);
      expect(reply.body.toString()).toBe('awake');
      after = await status();
    }
    expect(after.awakeSince).not.toBe(before.awakeSince); // It did hibernate (a new instance answered)…
    expect(after.tunnel).toBe('connected'); // …and the same tunnel carried on.
    expect(a.events.filter((e) => e.event === 'tunnel.down')).toHaveLength(0);
  }, 60_000);

  it('the local gateway stopped and started again: the client reconnects by itself, ports, visibility and links intact', async () => {
    const persist = mkdtempSync(join(tmpdir(), 'porthole-persist-'));
    closers.push(() => rmSync(persist, { recursive: true, force: true }));
    const secrets = {
      ADMIN_TOKEN: randomBytes(24).toString('base64url'),
      LABEL_KEY: randomBytes(32).toString('base64url'),
      TOKEN_SECRET: randomBytes(32).toString('base64url'),
    };
    const port = await freePort();
    const start = () => startGateway({ script: gatewayBundle, secrets, persist, port });
    let gateway = await start();
    const h: Harness = {
      gateway,
      adminToken: secrets.ADMIN_TOKEN,
      labelKey: secrets.LABEL_KEY,
      tokenSecret: secrets.TOKEN_SECRET,
      stop: () => gateway.stop(),
    };
    closers.push(() => gateway.stop());
    const origin = await startOrigin((_req, res) => res.end('still here'));
    closers.push(() => origin.close());
    const a = await startAgent(h, [origin.port], { visibility: () => undefined });
    closers.push(() => a.agent.stop());
    const url = await a.agent.url(origin.port);
    await a.agent.api.share(origin.port, 'link');
    const link = await a.agent.api.link(origin.port);

    await gateway.stop();
    await a.event((e) => e.event === 'tunnel.down', 'tunnel.down');
    gateway = await start();
    h.gateway = gateway;
    await a.event(
      (e) => e.event === 'tunnel.up' && a.events.filter((x) => x.event === 'tunnel.up').length === 2,
      'reconnect',
    );

    expect(a.agent.ports()).toEqual([expect.objectContaining({ port: origin.port, url, visibility: 'link' })]);
    expect((await request(gateway, url)).status).toBe(401);
    const opened = await request(gateway, link.url);
    expect(opened.status).toBe(303);
    const cookie = String(opened.headers['set-cookie']).split(';')[0] as string;
    const reply = await request(gateway, url, { headers: { cookie } });
    expect(reply.body.toString()).toBe('still here');
  });
});
