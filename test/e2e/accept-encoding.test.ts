/**
 * Content coding is negotiated against the viewer's Accept-Encoding (issue 14 kind 1): the runtime
 * replaces the header with its own `br, gzip` (keeping the viewer's in `request.cf`), and the origin
 * must see what the viewer sent, or none when it sent none.
 */
import http from 'node:http';
import { brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  afterTest,
  type Harness,
  type Reply,
  type RunningAgent,
  request,
  signal,
  startAgent,
  startHarness,
  startOrigin,
  waitFor,
} from './harness';

let h: Harness;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let a: RunningAgent;
let url: string;
/** The streamed answer's second chunk is written only when this fires (the viewer saw the first). */
let viewerSawFirst = signal();
const DATA = JSON.stringify({ items: Array.from({ length: 50 }, (_, i) => ({ id: i, name: `item ${i}` })) });

beforeAll(async () => {
  h = await startHarness();
  // An origin that gzips its JSON only when asked to, and says what it was asked.
  origin = await startOrigin((req, res) => {
    const target = new URL(req.url ?? '/', 'http://x');
    if (target.pathname === '/stream') {
      // A streamed answer (no length) of the asked type: chunk 2 exists only once the viewer read chunk 1.
      res.writeHead(200, { 'content-type': target.searchParams.get('type') ?? 'text/plain' });
      res.write('chunk 1 ');
      void viewerSawFirst.promise.then(() => res.end('chunk 2'));
      return;
    }
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
    // The origin's identity answer, as it sent it: nothing on the way adds a coding.
    expect(reply.headers['content-encoding']).toBeUndefined();
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

/**
 * GET /stream of `type` with `acceptEncoding`: resolves once the viewer read the whole body, having
 * read chunk 1 before the origin wrote chunk 2 (else it throws).
 */
async function streamed(type: string, acceptEncoding?: string) {
  viewerSawFirst = signal();
  const target = new URL(`${url}stream?type=${encodeURIComponent(type)}`);
  let raw = Buffer.alloc(0);
  const done = signal();
  const headers = { host: target.host, ...(acceptEncoding ? { 'accept-encoding': acceptEncoding } : {}) };
  const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port: h.gateway.port, path: target.pathname + target.search, headers, agent: false },
      (res) => {
        res.on('data', (chunk: Buffer) => (raw = Buffer.concat([raw, chunk])));
        res.on('end', done.fire);
        resolve(res);
      },
    );
    req.on('error', reject);
    afterTest(() => req.destroy());
  });
  await waitFor(() => raw.toString().includes('chunk 1'), 'chunk 1 at the viewer while chunk 2 is unwritten', 5000);
  viewerSawFirst.fire();
  await done.promise;
  return { headers: response.headers, body: raw.toString() };
}

describe('a streamed answer streams to a viewer that accepts compression (issue 14 kind 2)', () => {
  for (const type of ['text/html; charset=utf-8', 'text/plain', 'application/json']) {
    it(`${type}: the viewer reads chunk 1 before the origin writes chunk 2, as the origin's bytes`, async () => {
      const reply = await streamed(type, 'gzip, deflate, br, zstd');
      expect(reply.body).toBe('chunk 1 chunk 2');
      expect(reply.headers['content-type']).toBe(type);
      // As the origin sent it: no coding added on the way.
      expect(reply.headers['content-encoding']).toBeUndefined();
    });
  }

  it('a viewer that accepts no coding gets the stream with the origin’s headers as sent', async () => {
    const reply = await streamed('text/html');
    expect(reply.body).toBe('chunk 1 chunk 2');
    expect(reply.headers['content-encoding']).toBeUndefined();
  });
});
