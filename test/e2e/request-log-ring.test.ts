/**
 * The request log's ring holds its bounds under real traffic (issue 17): a
 * log of 100 requests and 192 KiB, fed 16 requests at a time. 10,000 requests
 * go through the client's real Origin to a real origin, its tunnel a pair of
 * multiplexers in memory (through the gateway in workerd they take ~20 s);
 * 1,000 go the whole way, through the gateway. The first half of each run has
 * small bodies (the count binds), the second bigger ones (the bytes bind).
 * Throughout, the log never holds more than either bound; at the end it holds
 * the newest requests, finished.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Origin } from '../../client/origin/origin';
import { RequestLog } from '../../client/requests/log';
import { Mux, type MuxStream } from '../../protocol';
import { afterTest, type Harness, startAgent, startHarness, startOrigin, waitFor } from './harness';

const CONCURRENCY = 16;
const CAPACITY = 100;
const MAX_BYTES = 192 * 1024;
const BODY_BYTES = 1024;
const BOUNDS = { capacity: CAPACITY, maxBytes: MAX_BYTES, bodyBytes: BODY_BYTES };

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

/** Request `n` of `total`: a POST every third, bodies of up to 2,000 bytes each way in the second half. */
function shape(n: number, total: number): { post: boolean; upload: number; answer: number } {
  const big = n >= total / 2;
  return { post: n % 3 === 0, upload: big ? n % 2000 : n % 20, answer: big ? n % 2000 : n % 10 };
}

/** A browser's usual request headers, as the gateway passes them on (~250 bytes). */
const HEADERS: [string, string][] = [
  ['user-agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36'],
  ['accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8'],
  ['accept-language', 'en-GB,en;q=0.9'],
  ['x-forwarded-for', '127.0.0.1'],
];

/** An origin answering `/r/<n>/<answer bytes>` with that many bytes, after reading the body. */
async function counting() {
  return startOrigin((req, res) => {
    req.resume();
    req.on('end', () => res.end('y'.repeat(Number(req.url?.split('/')[3] ?? 0))));
  });
}

/**
 * Send `total` requests, CONCURRENCY at a time (`send(n)` one; it resolves with whether the answer
 * was right), checking the log's bounds after each and whenever the log changes. Returns the
 * largest count and bytes seen and how many answers were wrong.
 */
async function drive(log: RequestLog, total: number, send: (n: number) => Promise<boolean>) {
  const worst = { size: 0, bytes: 0, wrong: 0 };
  const check = () => {
    worst.size = Math.max(worst.size, log.size);
    worst.bytes = Math.max(worst.bytes, log.bytes);
  };
  afterTest(log.subscribe(check));
  afterTest(log.onFinished(check));
  let next = 0;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      // Bounded: each worker takes the next number until `total` are sent.
      while (next < total) {
        if (!(await send(next++))) worst.wrong++;
        check();
      }
    }),
  );
  console.log(`request-log ring: ${total} requests in ${Date.now() - started} ms`);
  return worst;
}

/** The bounds held, both were reached, and the log keeps the newest requests, finished. */
function expectBounded(log: RequestLog, total: number, worst: { size: number; bytes: number; wrong: number }) {
  expect(worst.wrong).toBe(0);
  expect(worst.size).toBe(CAPACITY);
  expect(worst.bytes).toBeLessThanOrEqual(MAX_BYTES);
  expect(worst.bytes).toBeGreaterThan(MAX_BYTES * 0.9);
  // The second half's bigger requests: the bytes bind before the count.
  expect(log.size).toBeLessThan(CAPACITY);
  expect(log.bytes).toBeLessThanOrEqual(MAX_BYTES);
  const kept = log.list();
  expect(kept.length).toBe(log.size);
  expect(kept.map((s) => s.id)).toEqual(Array.from({ length: kept.length }, (_, i) => total - kept.length + 1 + i));
  expect(kept.every((s) => s.state === 'done' && s.status === 200)).toBe(true);
  expect(log.get(total - kept.length)).toBeUndefined();
}

describe('the request log ring stays within its bounds', () => {
  it('10,000 requests through the real Origin (its tunnel in memory)', async () => {
    const total = 10_000;
    const o = await counting();
    const log = new RequestLog(BOUNDS);
    const origin = new Origin({
      preserveHost: () => false,
      dialData: () => {
        throw new Error('no WebSockets here');
      },
    });
    afterTest(() => origin.close());
    // Back to back in memory, delivering on a microtask as a transport would.
    const gateway: Mux = new Mux({ role: 'gateway', send: (bytes) => queueMicrotask(() => client.receive(bytes)) });
    const client: Mux = new Mux({
      role: 'client',
      send: (bytes) => queueMicrotask(() => gateway.receive(bytes)),
      onOpen: (stream: MuxStream) => origin.serve(stream, log.begin(stream.request!)),
    });
    const worst = await drive(log, total, async (n) => {
      const { post, upload, answer } = shape(n, total);
      const stream = gateway.open({
        port: o.port,
        method: post ? 'POST' : 'GET',
        path: `/r/${n}/${answer}`,
        headers: post ? [...HEADERS, ['content-length', String(upload)]] : HEADERS,
        host: 'h',
        hasBody: post,
        upgrade: false,
        viewer: { kind: 'public' },
      });
      if (post) await stream.write(new Uint8Array(upload).fill(120), { end: true });
      const head = await stream.head();
      let bytes = 0;
      for (let chunk = await stream.read(); chunk; chunk = await stream.read()) bytes += chunk.length;
      await stream.done();
      return head.status === 200 && bytes === answer;
    });
    // The last entries end a microtask after their streams: let them.
    await new Promise((resolve) => setImmediate(resolve));
    expectBounded(log, total, worst);
  });

  it('1,000 requests through the gateway and the real client', async () => {
    const total = 1000;
    const o = await counting();
    const a = await startAgent(h, [o.port], { requestLog: BOUNDS });
    const host = new URL(await a.agent.url(o.port)).host;
    const viewer = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    afterTest(() => viewer.destroy());
    const worst = await drive(a.agent.requests, total, (n) => {
      const { post, upload, answer } = shape(n, total);
      return new Promise((resolve, reject) => {
        const req = http.request(
          {
            host: '127.0.0.1',
            port: h.gateway.port,
            method: post ? 'POST' : 'GET',
            path: `/r/${n}/${answer}`,
            headers: { host },
            agent: viewer,
          },
          (res) => {
            let bytes = 0;
            res.on('data', (chunk: Buffer) => (bytes += chunk.length));
            res.on('end', () => resolve(res.statusCode === 200 && bytes === answer));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(post ? 'x'.repeat(upload) : undefined);
      });
    });
    // The client records each end a moment after the viewer has its answer.
    const log = a.agent.requests;
    await waitFor(() => log.list().every((s) => s.state !== 'open'), 'every kept request finished');
    expectBounded(log, total, worst);
  });
});
