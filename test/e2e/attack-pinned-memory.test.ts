/**
 * Attacker round 2 (issue 13): the cost of streams pinned by upgrade requests whose answer is over
 * 1 MiB (see attack-streams.test.ts), with the default limits: one anonymous viewer, one address.
 */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { descendantsNamed, rssMiB } from '../../bench/procs';
import type { ApiStatus } from '../../protocol';
import { type Harness, request, startAgent, startHarness, startOrigin, waitFor } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ ORIGIN_TIMEOUT: '2', VIEWER_IDLE_TIMEOUT: '2' });
});
afterAll(async () => {
  await h?.stop();
});

const UPGRADE = {
  connection: 'Upgrade',
  upgrade: 'websocket',
  'sec-websocket-version': '13',
  'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
};

describe('attacker round 2: pinned streams with the default limits', () => {
  it('one viewer cannot pin streams (and their buffered bytes) for good with Upgrade GETs of a 2 MiB file', async () => {
    const file = Buffer.alloc(2 * 1024 * 1024, 0x63);
    const origin = await startOrigin((_req, res) => res.end(file));
    const a = await startAgent(h, [origin.port]);
    const owner = (await a.agent.api.ownerToken()).token;
    const url = await a.agent.url(origin.port);
    const [workerd] = descendantsNamed(process.pid, 'workerd');
    const before = rssMiB(workerd!);
    let statuses: number[] = [];
    // 128 (half of MAX_STREAMS 256: a lone viewer's work-conserving share), 16 at a time.
    for (let round = 0; round < 8; round++) {
      const replies = await Promise.all(
        Array.from({ length: 16 }, () => request(h.gateway, `${url}app.js`, { headers: UPGRADE })),
      );
      statuses = statuses.concat(replies.map((r) => r.status));
    }
    const streams = async () => {
      const reply = await request(h.gateway, `/api/sessions/${a.session}/status`, {
        headers: { authorization: `Bearer ${owner}` },
      });
      return (JSON.parse(reply.body.toString()) as ApiStatus).streams;
    };
    const held = await streams();
    const grown = rssMiB(workerd!) - before;
    const honest = await request(h.gateway, `${url}index.html`);
    console.log(
      `atk2: ${statuses.filter((s) => s === 200).length} upgrade GETs answered 200; ${held} streams held after ` +
        `the viewer left; workerd +${grown.toFixed(1)} MiB; a plain GET from the same address then: ${honest.status}`,
    );
    await waitFor(async () => (await streams()) === 0, 'the pinned streams freed', 8_000, 200);
  });
});
