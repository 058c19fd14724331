/**
 * Attacks on the local front server (client/dev/front.ts) as an untrusted viewer: any bytes on the
 * socket. Each test is a hole found by review, and says what must hold instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, type RunningAgent, request, startAgent, startHarness, startOrigin, waitFor } from './harness';
import { rawConnection } from './raw-socket';

let h: Harness;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let a: RunningAgent;
let url: URL;
/** What the origin received: path and headers, in order. */
const seen: { url: string; headers: Record<string, unknown> }[] = [];
/** The body each path's request brought to the origin. */
const bodies = new Map<string, string>();

beforeAll(async () => {
  h = await startHarness();
  // An origin that takes any head the gateway forwards (64 KiB, every line): what is under attack is
  // the front. Node 26's server refuses a head over its default 16 KiB with 431 (Node 20's let this
  // test's 23 KiB through).
  const bigHeads = { maxHeaderSize: 64 * 1024, maxHeadersCount: 0 };
  origin = await startOrigin(
    (req, res) => {
      seen.push({ url: req.url ?? '', headers: req.headers });
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        bodies.set(req.url ?? '', Buffer.concat(chunks).toString());
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ url: req.url, headers: req.headers }));
      });
    },
    '127.0.0.1',
    bigHeads,
  );
  a = await startAgent(h, [origin.port]);
  url = new URL(await a.agent.url(origin.port));
});

afterAll(async () => {
  a?.agent.stop();
  await origin?.close();
  await h?.stop();
});

const raw = () => rawConnection(h.gateway.port);

describe('request smuggling into workerd’s socket', () => {
  it('Connection: content-length does not strip the body’s framing (the body is no second request)', async () => {
    const smuggled =
      `GET ${url.origin}/smuggled HTTP/1.1\r\nHost: ${url.host}\r\n` +
      `CF-Connecting-IP: 6.6.6.6\r\nContent-Length: 0\r\n\r\n`;
    const c = raw();
    c.socket.write(
      `GET /outer HTTP/1.1\r\nHost: ${url.host}\r\nConnection: content-length\r\n` +
        `Content-Length: ${smuggled.length}\r\n\r\n${smuggled}`,
    );
    await waitFor(() => /\r\n\r\n\{/.test(c.text()), 'the outer answer', 10_000);
    // A request sent after: once the origin has it, anything smuggled before it has arrived too.
    const after = await request(h.gateway, `${url.origin}/after`);
    expect(after.status).toBe(200);
    await waitFor(() => seen.some((r) => r.url === '/after'), 'the request after');
    expect(seen.map((r) => r.url)).not.toContain('/smuggled');
    expect(JSON.stringify(seen)).not.toContain('6.6.6.6');
  });
});

describe('what a viewer cannot claim', () => {
  it('X_Forwarded_For and CF_Connecting_IP (underscores) do not reach the origin: CGI-style servers read them as X-Forwarded-For', async () => {
    const reply = await request(h.gateway, `${url.origin}/underscores`, {
      headers: {
        x_forwarded_for: '6.6.6.6',
        cf_connecting_ip: '6.6.6.6',
        x_forwarded_host: 'evil.example',
        x_real_ip: '6.6.6.6',
      },
    });
    expect(reply.status).toBe(200);
    const got = seen.find((r) => r.url === '/underscores')!;
    expect(JSON.stringify(got.headers)).not.toContain('6.6.6.6');
    expect(JSON.stringify(got.headers)).not.toContain('evil.example');
  });
});

describe('pipelined requests', () => {
  it('a request pipelined after one the front refused is not processed (RFC 9112 9.6)', async () => {
    const c = raw();
    c.socket.write(
      `GET / HTTP/1.1\r\nHost: ${url.host}\r\nHost: other.localhost\r\n\r\n` +
        `POST /after-refusal HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: 0\r\n\r\n`,
    );
    await waitFor(() => c.ended(), 'the refusal', 10_000);
    expect(c.text()).toMatch(/^HTTP\/1\.1 400 /);
    // Sent after: once the origin has it, anything relayed before it has arrived too.
    await request(h.gateway, `${url.origin}/after-the-close`);
    await waitFor(() => seen.some((r) => r.url === '/after-the-close'), 'the request after');
    expect(seen.map((r) => r.url)).not.toContain('/after-refusal');
  });
});

describe('targets the front builds', () => {
  it.each([
    ['a port past 65535', ':99999'],
    ['a broken percent escape', '%zz'],
  ])('a Host with %s is the front’s 400, not a 500 from the gateway', async (_what, tail) => {
    const host = tail.startsWith(':') ? `${url.hostname}${tail}` : tail;
    const c = raw();
    c.socket.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    await waitFor(() => c.ended(), 'the answer', 10_000);
    expect(c.text()).toMatch(/^HTTP\/1\.1 400 /);
  });
});

describe('transfer codings', () => {
  it('Transfer-Encoding: gzip, chunked is a 501, not forwarded as plain chunked with the gzip coding lost', async () => {
    const c = raw();
    c.socket.write(
      `POST /te-gzip HTTP/1.1\r\nHost: ${url.host}\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n0\r\n\r\n`,
    );
    await waitFor(() => c.ended(), 'the answer', 10_000);
    expect(c.text()).toMatch(/^HTTP\/1\.1 501 /);
    expect(seen.map((r) => r.url)).not.toContain('/te-gzip');
  });
});

describe('headers past Node’s default count (2000)', () => {
  const many = Array.from({ length: 2100 }, (_, i) => `X-${i}: y\r\n`).join('');

  it('a second Host line after 2000 others is still two Host lines: a 400', async () => {
    const c = raw();
    c.socket.write(
      `GET /late-host HTTP/1.1\r\nHost: ${url.host}\r\n${many}Host: evil.localhost\r\nConnection: close\r\n\r\n`,
    );
    await waitFor(() => c.ended(), 'the refusal', 10_000);
    expect(c.text()).toMatch(/^HTTP\/1\.1 400 /);
  });

  it('a Content-Length after 2000 other lines keeps its body (not dropped without a word)', async () => {
    const c = raw();
    c.socket.write(`POST /late-length HTTP/1.1\r\nHost: ${url.host}\r\n${many}Content-Length: 5\r\n\r\nhello`);
    await waitFor(() => bodies.has('/late-length'), 'the request at the origin');
    expect(bodies.get('/late-length')).toBe('hello');
  });
});

describe('exhausting the front', () => {
  it('a head that never finishes is answered 408 and closed (slowloris), not held forever', async () => {
    const c = raw();
    c.socket.write(`GET / HTTP/1.1\r\nHost: ${url.host}\r\nX-Slow: `);
    // Node's default would be 60 s, but requestTimeout 0 turns the headers timeout off as well.
    await waitFor(() => c.ended(), 'the front to give up on the head', 20_000);
    expect(c.text()).toMatch(/^HTTP\/1\.1 408 /);
  }, 30_000);

  it('a connection that never sends a byte is closed, not held forever', async () => {
    const c = raw();
    await new Promise<void>((resolve) => c.socket.once('connect', () => resolve()));
    // Node's headers timeout only starts at a request's first byte.
    await waitFor(() => c.ended(), 'the front to close the idle connection', 20_000);
  }, 30_000);
});

describe('crashing the front', () => {
  it('a viewer that resets the connection under a refused upgrade does not crash the process', async () => {
    for (let i = 0; i < 20; i++) {
      const c = raw();
      c.socket.write(
        `GET / HTTP/1.1\r\nHost: ${url.host}\r\nHost: other.localhost\r\n` +
          `Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
      );
      c.socket.resetAndDestroy();
    }
    // An 'error' with no listener on the handed-over socket is an uncaught exception: vitest reports it.
    const after = await request(h.gateway, `${url.origin}/still-up`);
    expect(after.status).toBe(200);
  });
});
