/**
 * HTTP/1.1 framing through a preview (issue 14, kinds 4 and 6): a request without a body reaches
 * the origin without one, `Expect: 100-continue` is answered, a repeated Host is a clear 400, and
 * a large response head passes up to the documented limit. Requests are written on raw sockets, so
 * the head is exactly what a test says (Node's client would add its own framing).
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { lookup } from '../../client/net/lookup';
import { MAX_RESPONSE_HEAD_BYTES } from '../../client/origin/http-proxy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterTest, type Harness, type RunningAgent, startAgent, startHarness, startOrigin, waitFor } from './harness';

let h: Harness;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let a: RunningAgent;
let host: string;
/** What the origin saw of each request: its head and its body. */
const seen: { req: http.IncomingMessage; body: Buffer }[] = [];
/** The path of each request whose head reached the origin, in order (before its body). */
const started: string[] = [];

interface RawReply {
  status: number;
  /** Every status line received, interim ones (100) included, in order. */
  statuses: number[];
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Writes `head` (lines without CRLF; Host added first unless present) on a fresh socket, then
 * `body` (once it resolves, when a promise), and reads one answer.
 */
function raw(lines: string[], body?: Buffer | string | Promise<Buffer | string>): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(h.gateway.port, '127.0.0.1');
    const head = [lines[0], ...(lines.some((l) => /^host:/i.test(l)) ? [] : [`Host: ${host}`]), ...lines.slice(1)];
    socket.write(`${head.join('\r\n')}\r\n\r\n`);
    if (body !== undefined) void Promise.resolve(body).then((bytes) => socket.write(bytes), reject);
    let buffer = Buffer.alloc(0);
    const statuses: number[] = [];
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const text = buffer.subarray(0, end).toString('latin1');
        const status = Number(text.split(' ')[1]);
        if (status >= 200 || status < 100) break;
        statuses.push(status);
        buffer = buffer.subarray(end + 4);
      }
      const end = buffer.indexOf('\r\n\r\n');
      const [statusLine, ...headerLines] = buffer.subarray(0, end).toString('latin1').split('\r\n');
      const headers: http.IncomingHttpHeaders = {};
      for (const line of headerLines) {
        const at = line.indexOf(':');
        headers[line.slice(0, at).toLowerCase()] = line.slice(at + 1).trim();
      }
      const rest = buffer.subarray(end + 4);
      const length = Number(headers['content-length'] ?? Number.NaN);
      if (Number.isInteger(length) && rest.length < length) return;
      if (!Number.isInteger(length) && headers['transfer-encoding'] === 'chunked' && !rest.includes('0\r\n\r\n'))
        return;
      const status = Number(statusLine?.split(' ')[1]);
      statuses.push(status);
      socket.destroy();
      resolve({ status, statuses, headers, body: Number.isInteger(length) ? rest.subarray(0, length) : rest });
    });
    socket.on('error', reject);
  });
}

beforeAll(async () => {
  h = await startHarness();
  origin = await startOrigin((req, res) => {
    started.push(req.url ?? '');
    if (req.url === '/refuse') {
      res.statusCode = 401;
      res.end('who are you?');
      return;
    }
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      seen.push({ req, body: Buffer.concat(parts) });
      const kib = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('cookies-kib') ?? 0);
      // 1 KiB Set-Cookie lines, as many as asked.
      if (kib)
        res.setHeader(
          'set-cookie',
          Array.from({ length: kib }, (_, i) => `c${i}=${'v'.repeat(1000)}`),
        );
      res.setHeader('content-type', 'text/plain');
      res.end(`${req.method} ${req.url} ${Buffer.concat(parts).length}`);
    });
  });
  a = await startAgent(h, [origin.port]);
  host = new URL(await a.agent.url(origin.port)).host;
});

afterAll(async () => {
  a?.agent.stop();
  await origin?.close();
  await h?.stop();
});

describe('request framing', () => {
  it.each(['MKCOL', 'COPY', 'MOVE', 'POST', 'PUT', 'DELETE'])(
    'a %s with neither Content-Length nor Transfer-Encoding reaches the origin without a body',
    async (method) => {
      const reply = await raw([`${method} /dav/x HTTP/1.1`, 'Destination: /dav/y']);
      expect(reply.status).toBe(200);
      expect(reply.body.toString()).toBe(`${method} /dav/x 0`);
      const { req } = seen.at(-1)!;
      expect(req.headers['transfer-encoding']).toBeUndefined();
      expect(req.headers['content-length']).toBeUndefined();
    },
  );

  it('Content-Length: 0 and a sized body keep their Content-Length', async () => {
    const empty = await raw(['POST /empty HTTP/1.1', 'Content-Length: 0']);
    expect(empty.body.toString()).toBe('POST /empty 0');
    expect(seen.at(-1)!.req.headers['content-length']).toBe('0');
    expect(seen.at(-1)!.req.headers['transfer-encoding']).toBeUndefined();
    const sized = await raw(['PUT /sized HTTP/1.1', 'Content-Length: 5'], 'hello');
    expect(sized.body.toString()).toBe('PUT /sized 5');
    expect(seen.at(-1)!.req.headers['content-length']).toBe('5');
    expect(seen.at(-1)!.body.toString()).toBe('hello');
  });

  it('a chunked upload stays a chunked upload', async () => {
    const reply = await raw(['POST /chunked HTTP/1.1', 'Transfer-Encoding: chunked'], '5\r\nhello\r\n0\r\n\r\n');
    expect(reply.body.toString()).toBe('POST /chunked 5');
    expect(seen.at(-1)!.req.headers['transfer-encoding']).toBe('chunked');
  });
});

describe('request framing, continued', () => {
  it('a chunked body on a method without a default body (DELETE) stays chunked', async () => {
    const reply = await raw(['DELETE /with-body HTTP/1.1', 'Transfer-Encoding: chunked'], '5\r\nhello\r\n0\r\n\r\n');
    expect(reply.body.toString()).toBe('DELETE /with-body 5');
    expect(seen.at(-1)!.req.headers['transfer-encoding']).toBe('chunked');
  });
});

describe('response heads', () => {
  it("a response head over Node's default 16 KiB (40 Set-Cookie lines of 1 KiB) passes", async () => {
    const reply = await raw(['GET /?cookies-kib=40 HTTP/1.1']);
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe('GET /?cookies-kib=40 0');
  });

  /** A viewer's WebSocket to an origin whose 101 carries `kib` 1 KiB Set-Cookie lines: its first message, or the refusal. */
  async function upgradeWithCookies(kib: number): Promise<string> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    afterTest(() => new Promise<void>((resolve) => server.close(() => resolve())));
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    server.on('headers', (headers) => {
      for (let i = 0; i < kib; i++) headers.push(`Set-Cookie: w${i}=${'v'.repeat(1000)}`);
    });
    server.on('connection', (socket) => socket.send('hi'));
    const port = (server.address() as AddressInfo).port;
    const agent = await startAgent(h, [port]);
    const url = (await agent.agent.url(port)).replace(/^http/, 'ws');
    const socket = new WebSocket(url, { lookup, maxHeaderSize: MAX_RESPONSE_HEAD_BYTES });
    afterTest(() => socket.terminate());
    return new Promise<string>((resolve, reject) => {
      socket.once('message', (data: Buffer) => resolve(data.toString()));
      socket.once('unexpected-response', (_req, res: http.IncomingMessage) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve(`${res.statusCode} ${Buffer.concat(parts).toString()}`));
      });
      socket.once('error', reject);
    });
  }

  it('a WebSocket upgrade answered with a head over 16 KiB (40 Set-Cookie lines) opens', async () => {
    expect(await upgradeWithCookies(40)).toBe('hi');
  });

  it('a WebSocket upgrade answered with a head over 64 KiB is a 502 that says so', async () => {
    const answer = await upgradeWithCookies(80);
    expect(answer).toMatch(/^502 /);
    expect(answer).toContain('response head is over 64 KiB');
  });

  it('a response head over 64 KiB is a 502 that says so', async () => {
    const reply = await raw(['GET /?cookies-kib=80 HTTP/1.1', 'Accept: application/json']);
    expect(reply.status).toBe(502);
    expect(reply.body.toString()).toContain('response head is over 64 KiB');
  });
});

describe('Expect: 100-continue', () => {
  it('the origin gets the head before the body, and the body follows as the viewer sends it', async () => {
    const headFirst = waitFor(() => started.at(-1) === '/expect', 'the head at the origin').then(() => 'hello');
    const reply = await raw(['PUT /expect HTTP/1.1', 'Content-Length: 5', 'Expect: 100-continue'], headFirst);
    expect(reply.body.toString()).toBe('PUT /expect 5');
    expect(seen.at(-1)!.req.headers.expect).toBe('100-continue');
  });

  it('an origin that refuses on the head alone answers a viewer still holding its body', async () => {
    const reply = await raw(['PUT /refuse HTTP/1.1', 'Content-Length: 5', 'Expect: 100-continue']);
    expect(reply.status).toBe(401);
    expect(reply.body.toString()).toBe('who are you?');
  });
});
