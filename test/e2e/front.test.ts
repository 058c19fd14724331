/**
 * The local front server (client/dev/front.ts), which stands where Cloudflare's edge does in front of
 * workerd: what it answers itself (100 Continue, 400 for two Host lines or bytes that are not HTTP/1.1,
 * 431 for a head over 128 KiB, nothing for CONNECT), and what a viewer cannot claim through it (its
 * address, the runtime's request.cf).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  afterTest,
  type Harness,
  type RunningAgent,
  request,
  startAgent,
  startHarness,
  startOrigin,
  waitFor,
} from './harness';
import { rawConnection } from './raw-socket';

let h: Harness;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let a: RunningAgent;
let url: URL;

beforeAll(async () => {
  h = await startHarness();
  origin = await startOrigin((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ headers: req.headers, body: Buffer.concat(chunks).toString() }));
    });
  });
  a = await startAgent(h, [origin.port]);
  url = new URL(await a.agent.url(origin.port));
});

afterAll(async () => {
  a?.agent.stop();
  await origin?.close();
  await h?.stop();
});

const raw = () => rawConnection(h.gateway.port);

describe('what the front answers itself', () => {
  it('Expect: 100-continue gets 100 Continue before the body is sent, then the origin’s answer', async () => {
    const c = raw();
    c.socket.write(
      `PUT /upload HTTP/1.1\r\nHost: ${url.host}\r\nContent-Length: 6\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
    );
    await waitFor(
      () => c.text().startsWith('HTTP/1.1 100 Continue\r\n\r\n'),
      '100 Continue with the body unsent',
      5_000,
    );
    c.socket.write('upload');
    await waitFor(() => c.ended(), 'the final answer', 5_000);
    expect(c.text()).toMatch(/\r\n\r\nHTTP\/1\.1 200 /);
    expect(c.text()).toContain('"body":"upload"');
  });

  it('a refused request that expects 100-continue gets its 400 and no 100 Continue: the body stays unsent', async () => {
    const c = raw();
    c.socket.write(
      `PUT /upload HTTP/1.1\r\nHost: ${url.host}\r\nHost: other.localhost\r\nContent-Length: 6\r\nExpect: 100-continue\r\n\r\n`,
    );
    await waitFor(() => c.ended(), 'the refusal', 5_000);
    expect(c.text()).toMatch(/^HTTP\/1\.1 400 /);
    expect(c.text()).not.toContain('100 Continue');
  });

  it('a response with more than 2,000 header lines reaches the viewer whole', async () => {
    const many = await startOrigin((_req, res) => {
      res.writeHead(200, Array.from({ length: 2100 }, (_, i) => [`x-h${i}`, String(i)]).flat());
      res.end('many');
    });
    afterTest(() => many.close());
    const b = await startAgent(h, [many.port]);
    const target = new URL(await b.agent.url(many.port));
    const c = raw();
    c.socket.write(`GET / HTTP/1.1\r\nHost: ${target.host}\r\nConnection: close\r\n\r\n`);
    await waitFor(() => c.ended(), 'the answer', 10_000);
    expect(c.text()).toMatch(/^HTTP\/1\.1 200 /);
    expect(c.text()).toContain('\r\nx-h2099: 2099\r\n');
  });

  it('two Host lines are a 400 that says why (RFC 9112 3.2), and never reach the gateway', async () => {
    const c = raw();
    c.socket.write(`GET / HTTP/1.1\r\nHost: ${url.host}\r\nHost: other.localhost\r\nAccept: */*\r\n\r\n`);
    await waitFor(() => c.ended(), 'the refusal', 5_000);
    const [head, body] = c.text().split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(head).toMatch(/x-porthole-error: bad_request/i);
    expect(JSON.parse(body!)).toMatchObject({ error: 'bad_request', status: 400 });
    expect(body).toContain('more than one Host');
  });

  it('bytes that are not HTTP/1.1 are a 400 with the parser’s reason, not a bare close', async () => {
    const c = raw();
    c.socket.write(`GET / HTTP/1.1\r\nHost: ${url.host}\r\nBad Name: x\r\n\r\n`);
    await waitFor(() => c.ended(), 'the refusal', 5_000);
    const [head, body] = c.text().split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(body!)).toMatchObject({ error: 'bad_request', message: expect.stringMatching(/not valid HTTP/) });
  });

  it('a request head over 128 KiB is a 431', async () => {
    const c = raw();
    const big = Array.from({ length: 9 }, (_, i) => `X-Big-${i}: ${'v'.repeat(16 * 1024)}\r\n`).join('');
    c.socket.write(`GET / HTTP/1.1\r\nHost: ${url.host}\r\n${big}\r\n`);
    await waitFor(() => c.ended(), 'the refusal', 5_000);
    expect(c.text()).toMatch(/^HTTP\/1\.1 431 /);
    expect(c.text()).toContain('headers_too_large');
  });

  it('CONNECT is not forwarded: the connection closes with no tunnel to anywhere', async () => {
    const c = raw();
    c.socket.write(`CONNECT 127.0.0.1:${origin.port} HTTP/1.1\r\nHost: 127.0.0.1:${origin.port}\r\n\r\n`);
    await waitFor(() => c.ended(), 'the close', 5_000);
    expect(c.text()).not.toMatch(/^HTTP\/1\.1 200/);
  });
});

describe('what a viewer cannot claim through the front', () => {
  it('CF-Connecting-IP is the connecting address: a forged one reaches nothing', async () => {
    const reply = await request(h.gateway, url.href, {
      headers: { 'cf-connecting-ip': '6.6.6.6' },
      localAddress: '127.0.0.5',
    });
    const seen = JSON.parse(reply.body.toString()) as { headers: Record<string, string> };
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.5');
    expect(JSON.stringify(seen.headers)).not.toContain('6.6.6.6');
  });

  it('the front’s own headers (its request names, its word that a viewer left) never reach the origin', async () => {
    const forged = 'AAAAAAAAAAAAAAAAAAAAAA';
    const reply = await request(h.gateway, url.href, {
      method: 'POST',
      headers: { 'x-porthole-front-left': forged, 'x-porthole-front-request': forged },
      body: 'kept',
    });
    // A POST with a forged "left" word is an ordinary request for the app: the front dropped the word.
    expect(reply.status).toBe(200);
    const seen = JSON.parse(reply.body.toString()) as { headers: Record<string, string>; body: string };
    expect(seen.body).toBe('kept');
    expect(Object.keys(seen.headers).filter((name) => name.startsWith('x-porthole'))).toEqual([]);
  });

  it('MF-CF-Blob does not set request.cf: a forged clientAcceptEncoding does not reach the origin', async () => {
    const reply = await request(h.gateway, url.href, {
      headers: { 'mf-cf-blob': JSON.stringify({ clientAcceptEncoding: 'gzip', clientIp: '6.6.6.6' }) },
    });
    const seen = JSON.parse(reply.body.toString()) as { headers: Record<string, string> };
    expect(seen.headers['accept-encoding']).toBeUndefined();
    expect(JSON.stringify(seen.headers)).not.toContain('6.6.6.6');
  });
});
