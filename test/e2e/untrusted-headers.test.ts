/**
 * What neither side may claim through the tunnel (issue 13 item 6): a viewer's
 * headers that name a client address never reach the origin as sent, an
 * app's X-Porthole-* headers never reach the viewer, and a 1xx from the origin
 * is skipped (interim) or a 502 (final), never a bare 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, type RunningAgent, request, startAgent, startHarness, startOrigin } from './harness';

let h: Harness;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let a: RunningAgent;
let url: string;

beforeAll(async () => {
  h = await startHarness();
  origin = await startOrigin((req, res) => {
    const target = new URL(req.url ?? '/', 'http://x');
    if (target.pathname === '/informational') {
      res.writeContinue();
      res.writeProcessing();
      res.writeEarlyHints({ link: '</style.css>; rel=preload; as=style' });
      res.setHeader('content-type', 'text/plain');
      res.end('after the hints');
    } else if (target.pathname === '/final-1xx') {
      res.statusCode = Number(target.searchParams.get('s'));
      res.end('a 1xx as the final answer');
    } else if (target.pathname === '/forge') {
      res.setHeader('x-porthole-error', 'preview_private');
      res.setHeader('X-Porthole-Warning', 'public-preview');
      res.setHeader('x-app', 'kept');
      res.end('the app');
    } else {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req.headers));
    }
  });
  a = await startAgent(h, [origin.port]);
  url = await a.agent.url(origin.port);
});

afterAll(async () => {
  a?.agent.stop();
  await origin?.close();
  await h?.stop();
});

describe('headers and statuses no side may forge', () => {
  it("an app cannot forge Porthole's own markers: X-Porthole-* from the origin is dropped", async () => {
    const reply = await request(h.gateway, `${url}forge`);
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe('the app');
    expect(reply.headers['x-app']).toBe('kept');
    expect(reply.headers['x-porthole-error']).toBeUndefined();
    expect(reply.headers['x-porthole-warning']).toBeUndefined();
  });

  it('viewer headers that claim a client address never reach the origin as sent', async () => {
    const claims = {
      'true-client-ip': '6.6.6.1',
      'x-client-ip': '6.6.6.2',
      'x-real-ip': '6.6.6.3',
      forwarded: 'for=6.6.6.4;host=evil.example;proto=https',
      'x-cluster-client-ip': '6.6.6.5',
      'fastly-client-ip': '6.6.6.6',
      'x-forwarded-for': '6.6.6.7',
      'cf-connecting-ipv6': '::6',
      'client-ip': '6.6.6.9',
      'x-originating-ip': '6.6.6.10',
      'x-remote-ip': '6.6.6.11',
      'x-remote-addr': '6.6.6.12',
      'x-original-forwarded-for': '6.6.6.13',
    };
    const reply = await request(h.gateway, `${url}echo-headers`, { headers: { ...claims, 'x-app': 'kept' } });
    const headers = JSON.parse(reply.body.toString()) as Record<string, string>;
    expect(headers['x-app']).toBe('kept');
    // X-Forwarded-For is the gateway's own (the connecting address), never the viewer's claim.
    expect(headers['x-forwarded-for']).not.toContain('6.6.6.');
    for (const name of Object.keys(claims)) {
      if (name !== 'x-forwarded-for') expect(headers[name], name).toBeUndefined();
    }
    expect(JSON.stringify(headers)).not.toContain('6.6.6.');
  });

  it('1xx interim answers from the origin (100, 102, 103 Early Hints) are skipped: the viewer gets the final one', async () => {
    for (const method of ['GET', 'POST']) {
      const reply = await request(h.gateway, `${url}informational`, {
        method,
        body: method === 'POST' ? 'x' : undefined,
      });
      expect(reply.status, method).toBe(200);
      expect(reply.body.toString()).toBe('after the hints');
      expect(reply.headers['content-type']).toBe('text/plain');
    }
  });

  it('a 1xx as the final answer (a 101 to a plain GET, a 103 with nothing after) is a 502 origin_error, not a 500', async () => {
    for (const status of ['101', '103']) {
      const reply = await request(h.gateway, `${url}final-1xx?s=${status}`);
      expect(reply.status, status).toBe(502);
      expect(JSON.parse(reply.body.toString())).toMatchObject({ error: 'origin_error' });
    }
  });
});
