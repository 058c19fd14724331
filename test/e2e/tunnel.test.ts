import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { lookup } from '../../client/net/lookup';
import { TunnelReplacedError } from '../../client/tunnel/errors';
import { SUBPROTOCOL } from '../../protocol';
import {
  afterTest,
  createSession,
  type Harness,
  request,
  startAgent,
  startHarness,
  startOrigin,
  signal,
  waitFor,
} from './harness';

let h: Harness;
beforeAll(async () => {
  // A short viewer-idle limit: when the runtime misses a viewer's disconnect, the stream is freed in 2 s.
  h = await startHarness({ ORIGIN_TIMEOUT: '1', VIEWER_IDLE_TIMEOUT: '2' });
});
afterAll(async () => {
  await h?.stop();
});

/** A viewer request that reports whether the body arrived whole. */
function view(url: string, onHead?: () => void): Promise<{ status: number; body: string; complete: boolean }> {
  const target = new URL(url);
  return new Promise((resolve) => {
    const req = http.get(
      { host: '127.0.0.1', port: h.gateway.port, path: target.pathname, headers: { host: target.host }, agent: false },
      (res) => {
        onHead?.();
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, complete: res.complete }));
        res.on('error', () => resolve({ status: res.statusCode ?? 0, body, complete: false }));
      },
    );
    req.on('error', () => resolve({ status: 0, body: '', complete: false }));
  });
}

describe('tunnel faults', () => {
  it('reconnects by itself after the tunnel is cut, and serves again', async () => {
    const origin = await startOrigin((_req, res) => res.end('back'));
    const a = await startAgent(h, [origin.port]);
    const url = await a.agent.url(origin.port);
    expect((await request(h.gateway, url)).status).toBe(200);
    a.agent.connection?.terminate();
    await a.event((e) => e.event === 'tunnel.down', 'tunnel.down');
    const ups = () => a.events.filter((e) => e.event === 'tunnel.up').length;
    await a.event(() => ups() === 2, 'second tunnel.up');
    const reply = await request(h.gateway, url);
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe('back');
  });

  it('a request waiting on the origin ends with 502 when the tunnel drops', async () => {
    const arrived = signal();
    const origin = await startOrigin(() => arrived.fire()); // never answers
    const a = await startAgent(h, [origin.port], { backoff: { baseMs: 60_000, capMs: 60_000 } });
    const pending = view(await a.agent.url(origin.port));
    await arrived.promise;
    a.agent.connection?.terminate();
    const reply = await pending;
    expect(reply.status).toBe(502);
    expect(JSON.parse(reply.body).error).toBe('tunnel_lost');
  });

  it('a response mid-body is aborted, not silently truncated, when the tunnel drops', async () => {
    const origin = await startOrigin((_req, res) => {
      res.setHeader('content-length', 1024 * 1024);
      res.write('x'.repeat(10));
    });
    const a = await startAgent(h, [origin.port], { backoff: { baseMs: 60_000, capMs: 60_000 } });
    const headSeen = signal();
    const pending = view(await a.agent.url(origin.port), headSeen.fire);
    await headSeen.promise;
    a.agent.connection?.terminate();
    const reply = await pending;
    expect(reply.status).toBe(200);
    expect(reply.complete).toBe(false);
  });

  it('an origin that closes mid-body aborts the viewer response', async () => {
    const origin = await startOrigin((_req, res) => {
      res.setHeader('content-length', 1024 * 1024);
      res.write('y'.repeat(10), () => res.socket?.destroy());
    });
    const a = await startAgent(h, [origin.port]);
    const reply = await view(await a.agent.url(origin.port));
    expect(reply.status).toBe(200);
    expect(reply.complete).toBe(false);
    expect(reply.body.length).toBeLessThan(1024 * 1024);
  });

  // KNOWN GAP (docs/fidelity.md): workerd ends an errored response body of unknown length with the
  // last chunk (0\r\n\r\n) instead of aborting it (cloudflare/workerd#6818, open), so the viewer sees a
  // complete, truncated body. `it.fails` keeps the gap visible: it starts failing when workerd fixes it.
  it.fails('an origin that closes a chunked body mid-way aborts the viewer response (no last chunk)', async () => {
    const origin = await startOrigin((_req, res) => {
      res.write('c'.repeat(10), () => res.socket?.destroy());
    });
    const a = await startAgent(h, [origin.port]);
    const reply = await view(await a.agent.url(origin.port));
    expect(reply.status).toBe(200);
    expect(reply.complete).toBe(false);
  });

  it('a small body cut short by the origin answers 502 instead of a truncated 200', async () => {
    const origin = await startOrigin((_req, res) => {
      res.setHeader('content-length', 1000);
      res.write('z'.repeat(10), () => res.socket?.destroy());
    });
    const a = await startAgent(h, [origin.port]);
    const reply = await view(await a.agent.url(origin.port));
    expect(reply.status).toBe(502);
    expect(JSON.parse(reply.body).error).toBe('origin_error');
  });

  it('a viewer that goes away mid-download cancels the origin request and frees the stream', async () => {
    const originClosed = signal();
    const origin = await startOrigin((_req, res) => {
      res.setHeader('content-length', 512 * 1024 * 1024);
      const block = Buffer.alloc(64 * 1024);
      const pump = () => {
        while (res.write(block)) {
          // Keep writing until the socket pushes back.
        }
      };
      res.on('drain', pump);
      res.on('close', () => originClosed.fire());
      pump();
    });
    const a = await startAgent(h, [origin.port]);
    const target = new URL(await a.agent.url(origin.port));
    await new Promise<void>((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port: h.gateway.port, path: '/', headers: { host: target.host }, agent: false },
        (res) => {
          let seen = 0;
          res.on('data', (c: Buffer) => {
            seen += c.length;
            if (seen > 1024 * 1024) {
              req.destroy(); // The viewer closes the tab.
              resolve();
            }
          });
        },
      );
      req.on('error', () => {});
      req.on('close', () => resolve());
      setTimeout(() => reject(new Error('no data reached the viewer')), 20_000).unref();
    });
    await originClosed.promise;
    const mux = a.agent.connection!.mux;
    await waitFor(() => mux.stats().open === 0, 'the client to free the stream', 5_000);
  });

  it('an origin that answers before reading the upload does not leave the viewer hanging', async () => {
    // Answers at once and never reads the body (Node discards the rest of it).
    const origin = await startOrigin((_req, res) => {
      res.statusCode = 413;
      res.end('too large');
    });
    const a = await startAgent(h, [origin.port]);
    const target = new URL(await a.agent.url(origin.port));
    const status = await new Promise<string>((resolve) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: h.gateway.port,
          method: 'POST',
          path: '/',
          headers: { host: target.host },
          agent: false,
        },
        (res) => {
          // The status, and for any other answer than the origin's what it was (error code, body).
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve(
              res.statusCode === 413
                ? '413'
                : `${res.statusCode} ${res.headers['x-porthole-error']} ${Buffer.concat(chunks).toString()}`,
            ),
          );
          res.on('error', (error) => resolve(`${res.statusCode} then ${error.message}`));
        },
      );
      req.on('error', (error) => resolve(`no answer: ${error.message}`));
      const block = Buffer.alloc(256 * 1024);
      let sent = 0;
      const pump = () => {
        while (sent < 16 * 1024 * 1024) {
          sent += block.length;
          if (!req.write(block)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    expect(status).toBe('413');
  });

  it('an origin slower than ORIGIN_TIMEOUT answers 504', async () => {
    const origin = await startOrigin(() => {}); // never answers
    const a = await startAgent(h, [origin.port]);
    const reply = await request(h.gateway, await a.agent.url(origin.port), { headers: { accept: 'text/html' } });
    expect(reply.status).toBe(504);
    expect(reply.body.toString()).toContain('did not answer within 1 s');
  });

  it('a second client for the same session replaces the first, which stops', async () => {
    const origin = await startOrigin((_req, res) => res.end('served'));
    const first = await startAgent(h, [origin.port]);
    const second = await startAgent(h, [origin.port], { token: first.token, session: first.session });
    const ended = await first.agent.done();
    expect(ended).toBeInstanceOf(TunnelReplacedError);
    const down = await first.event((e) => e.event === 'tunnel.down', 'tunnel.down');
    expect(down).toMatchObject({ retryInMs: null });
    const reply = await request(h.gateway, await second.agent.url(origin.port));
    expect(reply.body.toString()).toBe('served');
  });

  it('a client that breaks the protocol is disconnected with a reason; the session stays healthy', async () => {
    const { token } = await createSession(h);
    const closed = await new Promise<{ code: number; reason: string }>((resolve, reject) => {
      const ws = new WebSocket(`${h.gateway.url.replace('http', 'ws')}/connect`, [SUBPROTOCOL], {
        headers: { authorization: `Bearer ${token}` },
        lookup,
      });
      afterTest(() => ws.terminate());
      ws.on('open', () => ws.send(Buffer.from([0x42, 0, 0, 0, 1, 2, 3])));
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
      ws.on('error', reject);
    });
    expect(closed.code).toBe(1002);
    expect(closed.reason).toMatch(/unknown frame type 66/);
    const origin = await startOrigin((_req, res) => res.end('healthy'));
    const a = await startAgent(h, [origin.port], { token });
    const reply = await request(h.gateway, await a.agent.url(origin.port));
    expect(reply.body.toString()).toBe('healthy');
  });
});
