import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, request, startAgent, startHarness, startOrigin } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

describe('HTTP through the tunnel', () => {
  it('GET reaches the origin and returns its answer', async () => {
    const seen: { host?: string; xfh?: string; xfp?: string; url?: string }[] = [];
    const origin = await startOrigin((req, res) => {
      seen.push({
        host: req.headers.host,
        xfh: req.headers['x-forwarded-host'] as string,
        xfp: req.headers['x-forwarded-proto'] as string,
        url: req.url,
      });
      res.setHeader('content-type', 'text/plain');
      res.end(`hello from ${req.url}`);
    });
    const a = await startAgent(h, [origin.port]);
    const url = await a.agent.url(origin.port);
    const reply = await request(h.gateway, `${url}some/path?q=1`);
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe('hello from /some/path?q=1');
    expect(seen[0]).toEqual({
      host: `localhost:${origin.port}`,
      xfh: new URL(url).host,
      xfp: 'http',
      url: '/some/path?q=1',
    });
    a.agent.stop();
    await origin.close();
  });
});
