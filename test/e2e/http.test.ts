import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freePort,
  type Harness,
  type RunningAgent,
  request,
  startAgent,
  startHarness,
  startOrigin,
  PREVIEW_DOMAIN,
} from './harness';
import { signLabelForTest } from './sign';
import { aud, mintForTest } from './tokens';

let h: Harness;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let a: RunningAgent;
let url: string;
const seen: http.IncomingMessage[] = [];

beforeAll(async () => {
  // One test sends 200 requests at once from one address: more than one viewer's default share (64).
  h = await startHarness({ VIEWER_MAX_STREAMS: '256' });
  origin = await startOrigin((req, res) => {
    seen.push(req);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/cookies') {
      res.setHeader('set-cookie', ['a=1; Path=/', 'b=2; HttpOnly']);
      res.setHeader('x-multi', ['one', 'two']);
      res.setHeader('connection', 'keep-alive, x-private');
      res.setHeader('x-private', 'hop');
      res.setHeader('keep-alive', 'timeout=5');
      res.end('ok');
    } else if (path === '/status') {
      res.statusCode = 418;
      res.statusMessage = 'teapot';
      res.end('short and stout');
    } else if (path === '/empty') {
      res.statusCode = 204;
      res.end();
    } else if (path === '/gzip') {
      res.setHeader('content-encoding', 'gzip');
      res.setHeader('content-type', 'text/plain');
      res.end(gzipSync('compressed body '.repeat(100)));
    } else if (path === '/echo-headers') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req.headers));
    } else {
      res.setHeader('content-type', 'text/plain');
      res.end(`hello from ${req.url}`);
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

describe('HTTP through the tunnel', () => {
  it('GET reaches the origin with Host localhost:<port> and X-Forwarded-*', async () => {
    const reply = await request(h.gateway, `${url}some/path?q=1`);
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe('hello from /some/path?q=1');
    const req = seen.at(-1)!;
    expect(req.headers.host).toBe(`localhost:${origin.port}`);
    expect(req.headers['x-forwarded-host']).toBe(new URL(url).host);
    expect(req.headers['x-forwarded-proto']).toBe('http');
    expect(req.url).toBe('/some/path?q=1');
  });

  it('the URL has the documented shape', () => {
    expect(url).toMatch(
      new RegExp(
        `^http://${origin.port}-[a-z2-7]{16}\\.[a-z2-7]{16}\\.${PREVIEW_DOMAIN.replace('.', '\\.')}:${h.gateway.port}/$`,
      ),
    );
  });

  it('keeps status, multi-valued headers and every set-cookie; drops hop-by-hop', async () => {
    const reply = await request(h.gateway, `${url}cookies`);
    expect(reply.status).toBe(200);
    expect(reply.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect(reply.headers['x-multi']).toBe('one, two');
    expect(reply.headers['x-private']).toBeUndefined();
    expect(reply.headers['keep-alive']).toBeUndefined();
    const teapot = await request(h.gateway, `${url}status`);
    expect(teapot.status).toBe(418);
    expect(teapot.body.toString()).toBe('short and stout');
  });

  it('drops hop-by-hop and spoofed forwarding headers from the viewer', async () => {
    const reply = await request(h.gateway, `${url}echo-headers`, {
      headers: {
        connection: 'x-secret-hop',
        'x-secret-hop': '1',
        'x-forwarded-host': 'evil.example',
        'x-forwarded-proto': 'gopher',
        'x-porthole-route': '{"kind":"tunnel","base":{"scheme":"http","host":"evil.example"}}',
        cookie: 'app=1',
        authorization: 'Bearer app-token',
      },
    });
    const headers = JSON.parse(reply.body.toString()) as Record<string, string>;
    expect(headers['x-secret-hop']).toBeUndefined();
    expect(headers['x-porthole-route']).toBeUndefined();
    expect(headers['x-forwarded-host']).toBe(new URL(url).host);
    expect(headers['x-forwarded-proto']).toBe('http');
    // The app's own credentials pass untouched.
    expect(headers.cookie).toBe('app=1');
    expect(headers.authorization).toBe('Bearer app-token');
  });

  it('HEAD and 204 answer without a body', async () => {
    const head = await request(h.gateway, `${url}x`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    const empty = await request(h.gateway, `${url}empty`);
    expect(empty.status).toBe(204);
    expect(empty.body.length).toBe(0);
  });

  it('passes a gzip body through as it is', async () => {
    const reply = await request(h.gateway, `${url}gzip`, { headers: { 'accept-encoding': 'gzip' } });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-encoding']).toBe('gzip');
    const { gunzipSync } = await import('node:zlib');
    expect(gunzipSync(reply.body).toString()).toBe('compressed body '.repeat(100));
  });

  it('streams a 100 MiB POST body to the origin, checked by sha256', async () => {
    const size = 100 * 1024 * 1024;
    const up = await startOrigin((req, res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (c: Buffer) => {
        hash.update(c);
        bytes += c.length;
      });
      req.on('end', () => res.end(JSON.stringify({ bytes, sha256: hash.digest('hex') })));
    });
    const agent = await startAgent(h, [up.port]);
    const target = new URL(await agent.agent.url(up.port));
    const expected = createHash('sha256');
    const reply = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: h.gateway.port, method: 'POST', path: '/upload', headers: { host: target.host } },
        (res) => {
          let body = '';
          res.on('data', (c) => {
            body += c;
          });
          res.on('end', () => resolve(body));
        },
      );
      req.on('error', reject);
      // Generated and sent piece by piece (chunked): nothing holds the whole body.
      let sent = 0;
      const pump = () => {
        while (sent < size) {
          const piece = randomBytes(Math.min(256 * 1024, size - sent));
          expected.update(piece);
          sent += piece.length;
          if (!req.write(piece)) {
            req.once('drain', pump);
            return;
          }
        }
        req.end();
      };
      pump();
    });
    expect(JSON.parse(reply)).toEqual({ bytes: size, sha256: expected.digest('hex') });
  });

  it('streams a 100 MiB download, checked by sha256', async () => {
    const size = 100 * 1024 * 1024;
    const block = randomBytes(1024 * 1024);
    const expected = createHash('sha256');
    for (let i = 0; i < size / block.length; i++) expected.update(block);
    const down = await startOrigin((_req, res) => {
      res.setHeader('content-length', size);
      let sent = 0;
      const pump = () => {
        while (sent < size) {
          sent += block.length;
          if (!res.write(block)) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
    });
    const agent = await startAgent(h, [down.port]);
    const target = new URL(await agent.agent.url(down.port));
    const result = await new Promise<{ bytes: number; sha256: string; length: string | undefined }>(
      (resolve, reject) => {
        http
          .get({ host: '127.0.0.1', port: h.gateway.port, path: '/big', headers: { host: target.host } }, (res) => {
            const hash = createHash('sha256');
            let bytes = 0;
            res.on('data', (c: Buffer) => {
              hash.update(c);
              bytes += c.length;
            });
            res.on('end', () => resolve({ bytes, sha256: hash.digest('hex'), length: res.headers['content-length'] }));
            res.on('error', reject);
          })
          .on('error', reject);
      },
    );
    expect(result).toEqual({ bytes: size, sha256: expected.digest('hex'), length: String(size) });
  });

  it('delivers the first chunk of a response before the origin finishes it', async () => {
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const chunked = await startOrigin((_req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.write('first chunk\n');
      // The origin ends only after the viewer has seen the first chunk.
      void finished.then(() => res.end('second chunk\n'));
    });
    const agent = await startAgent(h, [chunked.port]);
    const target = new URL(await agent.agent.url(chunked.port));
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: h.gateway.port, path: '/', headers: { host: target.host } }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            if (!text) {
              expect(c).toBe('first chunk\n');
              finish();
            }
            text += c;
          });
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    expect(body).toBe('first chunk\nsecond chunk\n');
  });

  it('serves 200 concurrent requests on one session', async () => {
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => request(h.gateway, `${url}concurrent/${i}`)),
    );
    replies.forEach((reply, i) => {
      expect(reply.status).toBe(200);
      expect(reply.body.toString()).toBe(`hello from /concurrent/${i}`);
    });
  });

  it('reaches an origin that listens on ::1 only', async () => {
    const v6 = await startOrigin((_req, res) => res.end('over ipv6'), '::1');
    const agent = await startAgent(h, [v6.port]);
    const reply = await request(h.gateway, await agent.agent.url(v6.port));
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe('over ipv6');
  });

  it('keeps the public Host for a port when asked, and then rewrites neither Origin nor Location', async () => {
    const echo = await startOrigin((req, res) => {
      res.setHeader('location', `http://localhost:${req.socket.localPort}/x`);
      res.end(`${req.headers.host} ${req.headers.origin}`);
    });
    const agent = await startAgent(h, [echo.port], { preserveHost: [echo.port] });
    const target = await agent.agent.url(echo.port);
    const publicOrigin = new URL(target).origin;
    const reply = await request(h.gateway, target, { headers: { origin: publicOrigin } });
    expect(reply.body.toString()).toBe(`${new URL(target).host} ${publicOrigin}`);
    expect(reply.headers.location).toBe(`http://localhost:${echo.port}/x`);
  });

  it('origin down → 502 naming the port, as JSON and as HTML', async () => {
    const port = await freePort();
    const agent = await startAgent(h, [port]);
    const target = await agent.agent.url(port);
    const json = await request(h.gateway, target);
    expect(json.status).toBe(502);
    expect(json.headers['content-type']).toMatch(/application\/json/);
    const body = JSON.parse(json.body.toString()) as { error: string; message: string };
    expect(body.error).toBe('origin_unreachable');
    expect(body.message).toContain(`port ${port}`);
    const html = await request(h.gateway, target, { headers: { accept: 'text/html,*/*' } });
    expect(html.status).toBe(502);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.body.toString()).toContain(`port ${port}`);
  });

  it('a port the client does not expose answers "not listening" (to its owner) without reaching it', async () => {
    const other = await startOrigin((_req, res) => res.end('secret'));
    const agent = await startAgent(h, [origin.port]);
    // A correctly signed label for a port the client never exposed: private, so the owner asks.
    const exposed = new URL(await agent.agent.url(origin.port));
    const host = signLabelForTest(h, agent.session, other.port);
    const owner = await mintForTest(h.tokenSecret, { aud: aud.owner, sub: agent.session });
    const reply = await request(h.gateway, `http://${host}:${exposed.port}/`, {
      headers: { 'x-porthole-token': owner },
    });
    expect(reply.status).toBe(503);
    expect(JSON.parse(reply.body.toString()).error).toBe('port_not_listening');
  });
});
