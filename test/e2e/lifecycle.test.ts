/**
 * The session across the gateway's own life: its Durable Object hibernating
 * while the tunnel idles, and the local gateway stopped and started again
 * with persisted state.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startGateway } from '../../client/dev/gateway';
import type { ApiStatus } from '../../protocol';
import { gatewayBundle } from '../../scripts/build.mjs';
import { afterTest, freePort, type Harness, request, startAgent, startHarness, startOrigin, waitFor } from './harness';

/**
 * How long after its last request ends workerd evicts an idle object (10 s, fixed in workerd's
 * server: ActorContainer::handleShutdown), plus a margin for a loaded machine.
 */
const IDLE_EVICTION_MS = 10_000;
const LOOK_AFTER_MS = IDLE_EVICTION_MS + 1_000;

describe('session lifecycle', () => {
  it('an idle session hibernates despite keepalives, and the next viewer request is served normally', async () => {
    const h = await startHarness();
    const origin = await startOrigin((_req, res) => res.end('awake'));
    // Keepalive every second: answered by the runtime, it must not keep the object awake.
    const a = await startAgent(h, [origin.port], { keepaliveMs: 1000 });
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

    // Asking the object whether it hibernated wakes it and restarts its idle clock, so after a first
    // look (still awake) each look comes just after an eviction could have happened, up to three
    // times: a viewer request first (the one a new instance wakes for), then the status.
    const served: string[] = [];
    const after = await waitFor(
      async () => {
        const reply = await request(h.gateway, url).catch((error: Error) => error);
        served.push(reply instanceof Error ? reply.message : `${reply.status} ${reply.body.toString()}`);
        const now = await status();
        return now.awakeSince !== before.awakeSince && now;
      },
      'the session object to hibernate and a new instance to answer',
      3 * LOOK_AFTER_MS + 5_000,
      LOOK_AFTER_MS,
    );
    expect(served).toEqual(served.map(() => '200 awake')); // Every viewer request was served…
    expect(after.awakeSince).not.toBe(before.awakeSince); // …it did hibernate (a new instance answered)…
    expect(after.tunnel).toBe('connected'); // …and the same tunnel carried on.
    expect(a.events.filter((e) => e.event === 'tunnel.down')).toHaveLength(0);
  }, 60_000);

  it('the local gateway stopped and started again: the client reconnects by itself, ports, visibility and links intact', async () => {
    const persist = mkdtempSync(join(tmpdir(), 'porthole-persist-'));
    afterTest(() => rmSync(persist, { recursive: true, force: true }));
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
    afterTest(() => gateway.stop()); // Whichever gateway runs when the test ends.
    const origin = await startOrigin((_req, res) => res.end('still here'));
    const a = await startAgent(h, [origin.port], { visibility: () => undefined });
    const url = await a.agent.url(origin.port);
    await a.agent.api.setVisibility(origin.port, 'link');
    const link = await a.agent.api.createLink(origin.port);

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
