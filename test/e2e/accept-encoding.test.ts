/**
 * Content coding is negotiated against the viewer's Accept-Encoding (issue 14 kind 1): the runtime
 * replaces the header with its own `br, gzip` (keeping the viewer's in `request.cf`), and the origin
 * must see what the viewer sent, or none when it sent none.
 */
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, type Reply, type RunningAgent, request, startAgent, startHarness, startOrigin } from './harness';

let h: Harness;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let a: RunningAgent;
let url: string;
const DATA = JSON.stringify({ items: Array.from({ length: 50 }, (_, i) => ({ id: i, name: `item ${i}` })) });

beforeAll(async () => {
  h = await startHarness();
  // An origin that gzips its JSON only when asked to, and says what it was asked.
  origin = await startOrigin((req, res) => {
    const asked = req.headers['accept-encoding'];
    res.setHeader('x-origin-saw', asked === undefined ? '(none)' : asked);
    res.setHeader('content-type', 'application/json');
    if (asked && /\bgzip\b/.test(asked)) {
      res.setHeader('content-encoding', 'gzip');
      res.end(gzipSync(DATA));
    } else {
      res.end(DATA);
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

/** The body as the viewer's HTTP client decodes it, by the Content-Encoding it got. */
function decoded(reply: Reply): string {
  const coding = reply.headers['content-encoding'];
  if (coding === 'gzip') return gunzipSync(reply.body).toString();
  if (coding === 'br') return brotliDecompressSync(reply.body).toString();
  expect(coding ?? 'identity').toBe('identity');
  return reply.body.toString();
}

describe("the origin negotiates against the viewer's Accept-Encoding", () => {
  it('a viewer that sends none gets identity bytes: the origin saw no Accept-Encoding', async () => {
    const reply = await request(h.gateway, `${url}data`);
    expect(reply.status).toBe(200);
    expect(reply.headers['x-origin-saw']).toBe('(none)');
    expect(reply.headers['content-encoding']).toBeUndefined();
    expect(JSON.parse(reply.body.toString())).toEqual(JSON.parse(DATA));
  });

  it('a viewer that asks for gzip gets the origin’s gzip', async () => {
    const reply = await request(h.gateway, `${url}data`, { headers: { 'accept-encoding': 'gzip' } });
    expect(reply.headers['x-origin-saw']).toBe('gzip');
    expect(reply.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(reply.body).toString()).toBe(DATA);
  });

  it('a viewer that accepts only br: the origin is asked for br (and answers identity), never for gzip', async () => {
    const reply = await request(h.gateway, `${url}data`, { headers: { 'accept-encoding': 'br' } });
    expect(reply.headers['x-origin-saw']).toBe('br');
    // The origin's identity answer; the local runtime may add br for the viewer, which accepts it.
    expect(['br', undefined]).toContain(reply.headers['content-encoding']);
    expect(decoded(reply)).toBe(DATA);
  });

  it("the viewer's value reaches the origin exactly as sent (a browser's list, identity, q-values)", async () => {
    for (const value of ['gzip, deflate, br, zstd', 'identity', 'deflate;q=0.5, gzip;q=0.9']) {
      const reply = await request(h.gateway, `${url}data`, { headers: { 'accept-encoding': value } });
      expect(reply.status, value).toBe(200);
      expect(reply.headers['x-origin-saw'], value).toBe(value);
      expect(decoded(reply), value).toBe(DATA);
    }
  });
});
