import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortholeApiError, requestJson } from '../../../../client/net/http';

/** Answers by path: /ok echoes what it got, /refused is a gateway-style refusal, /text and /empty are not JSON. */
const server = http.createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk: string) => (body += chunk));
  req.on('end', () => {
    const send = (status: number, text: string) => res.writeHead(status).end(text);
    if (req.url === '/ok')
      return send(
        200,
        JSON.stringify({
          method: req.method,
          authorization: req.headers.authorization ?? null,
          type: req.headers['content-type'] ?? null,
          body,
        }),
      );
    if (req.url === '/refused')
      return send(403, JSON.stringify({ error: 'forbidden', status: 403, message: 'Not yours.' }));
    if (req.url === '/text') return send(200, 'plain text');
    if (req.url === '/empty') return send(500, '');
    if (req.url === '/html') return send(502, '<h1>Bad gateway</h1>');
  });
});
let base: URL;
let socketDir: string;
const socketServer = http.createServer((_req, res) => res.writeHead(201).end('{"over":"unix"}'));

beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = new URL(`http://localhost:${(server.address() as AddressInfo).port}`);
  socketDir = mkdtempSync(join(tmpdir(), 'porthole-http-'));
  socketServer.listen(join(socketDir, 'control.sock'));
  await once(socketServer, 'listening');
});
afterAll(() => {
  server.close();
  socketServer.close();
  rmSync(socketDir, { recursive: true, force: true });
});

describe('requestJson', () => {
  it('sends JSON with a bearer token and resolves with the parsed answer', async () => {
    const answer = await requestJson({ method: 'POST', url: new URL('/ok', base), token: 't0k', body: { ttl: 60 } });
    expect(answer).toEqual({
      method: 'POST',
      authorization: 'Bearer t0k',
      type: 'application/json',
      body: '{"ttl":60}',
    });
  });

  it('sends no body and no content type when there is none', async () => {
    expect(await requestJson({ method: 'GET', url: new URL('/ok', base) })).toEqual({
      method: 'GET',
      authorization: null,
      type: null,
      body: '',
    });
  });

  it('rejects a refusal with a PortholeApiError of the same {error, status, message}', async () => {
    const error = await requestJson({ method: 'GET', url: new URL('/refused', base) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PortholeApiError);
    expect((error as PortholeApiError).toJSON()).toEqual({ error: 'forbidden', status: 403, message: 'Not yours.' });
  });

  it('turns answers that are not JSON into ApiErrors that say what came back', async () => {
    const text = await requestJson({ method: 'GET', url: new URL('/text', base) }).catch((e: PortholeApiError) =>
      e.toJSON(),
    );
    expect(text).toEqual({ error: 'bad_answer', status: 502, message: 'expected JSON, got: plain text' });
    const empty = await requestJson({ method: 'GET', url: new URL('/empty', base) }).catch((e: PortholeApiError) =>
      e.toJSON(),
    );
    expect(empty).toEqual({ error: 'error', status: 500, message: 'the server answered 500' });
    const html = await requestJson({ method: 'GET', url: new URL('/html', base) }).catch((e: PortholeApiError) =>
      e.toJSON(),
    );
    expect(html).toEqual({ error: 'error', status: 502, message: '<h1>Bad gateway</h1>' });
  });

  it('rejects with the socket error, not a PortholeApiError, when nothing answers', async () => {
    const closed = http.createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    await once(closed, 'close');
    const error = await requestJson({ method: 'GET', url: new URL(`http://127.0.0.1:${port}/`) }).catch(
      (e: unknown) => e,
    );
    expect(error).not.toBeInstanceOf(PortholeApiError);
    expect((error as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('speaks HTTP over a unix socket for the control API', async () => {
    const answer = await requestJson({
      method: 'GET',
      url: new URL('/v1/status', 'http://control'),
      socketPath: join(socketDir, 'control.sock'),
    });
    expect(answer).toEqual({ over: 'unix' });
  });
});
