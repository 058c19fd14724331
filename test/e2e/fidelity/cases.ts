/**
 * The fidelity table: what a viewer gets through a preview, case by case, compared with what the
 * same request gets straight from the origin (runner.ts). Adding a case is adding a row. A row's
 * `changes` are what Porthole alters on purpose, with the reason; a row with `fails` names the
 * issue-14 kind that still breaks it (kept as `it.fails`, so it flips when the kind is fixed).
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import type { Case, OriginContext } from './runner';

/** An origin that answers every request with `text` and the given status and headers. */
export const answer =
  (status: number, headers: Record<string, string | string[]> = {}, text = '') =>
  (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(status, headers);
    res.end(text);
  };

/** An origin that answers what it received: its method, target and the hash of the body. */
export const echo = (req: http.IncomingMessage, res: http.ServerResponse, ctx: OriginContext) => {
  res.setHeader('content-type', 'text/plain');
  res.end(`${req.method} ${req.url} ${ctx.body.length}`);
};

/** An origin that streams `count` chunks of `type`, each only after the viewer received the last. */
export const stream =
  (type: string, count = 5) =>
  async (_req: http.IncomingMessage, res: http.ServerResponse, ctx: OriginContext) => {
    res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
    for (let i = 0; i < count; i++)
      await ctx.send(res, type === 'text/event-stream' ? `data: ${i}\n\n` : `line ${i}\n`);
    res.end();
  };

const FILE = randomBytes(1000);

/** Serves FILE with byte ranges (one range, or 416). */
const ranged = (req: http.IncomingMessage, res: http.ServerResponse) => {
  const match = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
  const [start, end] = match ? [Number(match[1]), Number(match[2])] : [0, FILE.length - 1];
  if (start >= FILE.length) {
    res.writeHead(416, { 'content-range': `bytes */${FILE.length}` }).end();
    return;
  }
  res.writeHead(match ? 206 : 200, {
    'accept-ranges': 'bytes',
    'content-type': 'application/octet-stream',
    ...(match ? { 'content-range': `bytes ${start}-${end}/${FILE.length}` } : {}),
  });
  res.end(FILE.subarray(start, end + 1));
};

/** A 50 MB multipart/form-data body with one file part. */
const BOUNDARY = '----porthole-fidelity';
const MULTIPART = Buffer.concat([
  Buffer.from(`--${BOUNDARY}\r\ncontent-disposition: form-data; name="file"; filename="big.bin"\r\n\r\n`),
  randomBytes(50 * 1024 * 1024),
  Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
]);

/** An HTTP/1.0 origin (raw TCP): no Content-Length, the body ends when it closes the connection. */
const http10 = {
  tcp: (socket: Socket) => {
    let head = '';
    socket.on('data', (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.end('HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n' + 'until close\n'.repeat(1000));
    });
  },
};

const MANY = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`x-h-${i}`, `value ${i}`]));
const PROPFIND = Buffer.from('<?xml version="1.0"?><propfind xmlns="DAV:"><allprop/></propfind>');

export const cases: Case[] = [
  { name: 'HEAD keeps Content-Length, no body', method: 'HEAD', origin: answer(200, { 'content-length': '1234' }) },
  { name: '204 No Content', method: 'DELETE', origin: answer(204) },
  {
    name: '304 Not Modified for If-None-Match',
    headers: { 'if-none-match': '"v1"' },
    compare: ['etag'],
    origin: (req, res) =>
      (req.headers['if-none-match'] === '"v1"' ? answer(304, { etag: '"v1"' }) : answer(200))(req, res),
  },
  {
    name: 'Range: 206 with Content-Range',
    headers: { range: 'bytes=10-99' },
    compare: ['content-range', 'accept-ranges'],
    origin: ranged,
  },
  {
    name: 'Range past the end: 416',
    headers: { range: 'bytes=5000-5010' },
    compare: ['content-range'],
    origin: ranged,
  },
  { name: 'Range absent: 200 whole', compare: ['accept-ranges'], origin: ranged },
  {
    name: 'several Set-Cookie, each its own line',
    compare: ['set-cookie'],
    origin: answer(200, { 'set-cookie': ['a=1; Path=/', 'b=2; HttpOnly; SameSite=Lax', 'c=3; Max-Age=60'] }),
  },
  {
    name: 'Basic auth challenge: 401 with WWW-Authenticate',
    compare: ['www-authenticate'],
    origin: answer(401, { 'www-authenticate': 'Basic realm="app"' }),
  },
  {
    name: 'Basic auth credentials reach the app',
    headers: { authorization: `Basic ${Buffer.from('user:pass').toString('base64')}` },
    seen: ['authorization'],
    origin: echo,
  },
  {
    name: '50 MB multipart upload',
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    body: MULTIPART,
    seen: ['content-type', 'content-length'],
    origin: echo,
  },
  {
    name: 'chunked upload',
    method: 'PUT',
    body: Array.from({ length: 20 }, () => randomBytes(10_000)),
    seen: ['transfer-encoding'],
    origin: echo,
  },
  { name: 'HTTP/1.0 origin that ends by closing', origin: http10 },
  { name: 'origin on ::1 only', host: '::1', origin: answer(200, { 'content-type': 'text/plain' }, 'over ipv6') },
  { name: 'long URL (8 KiB query)', path: `/search?q=${'a'.repeat(8192)}`, origin: echo },
  { name: '100 request headers', headers: MANY, seen: Object.keys(MANY), origin: echo },
  {
    name: 'WebDAV PROPFIND with a body',
    method: 'PROPFIND',
    headers: { depth: '1', 'content-type': 'application/xml' },
    body: PROPFIND,
    seen: ['depth', 'content-type', 'content-length'],
    compare: ['dav'],
    origin: (_req, res, ctx) =>
      answer(207, { dav: '1, 2', 'content-type': 'application/xml' }, ctx.body.toString())(_req, res),
  },
  {
    name: 'WebDAV LOCK with a body',
    method: 'LOCK',
    headers: { timeout: 'Second-60', 'content-type': 'application/xml' },
    body: Buffer.from('<?xml version="1.0"?><lockinfo xmlns="DAV:"><lockscope><exclusive/></lockscope></lockinfo>'),
    seen: ['timeout'],
    compare: ['lock-token'],
    origin: answer(200, { 'lock-token': '<urn:uuid:1>', 'content-type': 'application/xml' }, '<prop/>'),
  },
  {
    name: 'gzip request body passes as sent',
    method: 'POST',
    headers: { 'content-encoding': 'gzip', 'content-type': 'application/json' },
    body: gzipSync(JSON.stringify({ hello: 'world'.repeat(100) })),
    seen: ['content-encoding', 'content-length'],
    origin: echo,
  },
  { name: 'encoded path: %2F stays encoded', path: '/files/a%2Fb/c%20d?x=%2F', origin: echo },
  { name: 'encoded path: dot-like segments that are not dots stay', path: '/a/%2E%2Ex/..b/.%2Fc', origin: echo },
  { name: 'SSE over GET, event by event', compare: ['cache-control'], origin: stream('text/event-stream') },
  {
    name: 'SSE over POST, event by event',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: Buffer.from('{"prompt":"hi"}'),
    origin: stream('text/event-stream'),
  },
  {
    name: 'WebSocket subprotocol chosen by the origin',
    protocols: ['chat.v1', 'chat.v2'],
    origin: { ws: ['chat.v2'], deflate: true },
  },
  {
    name: 'WebSocket permessage-deflate where the origin takes it',
    protocols: ['chat.v2'],
    origin: { ws: ['chat.v2'], deflate: true },
  },
  { name: 'WebSocket with no subprotocol offered', origin: { ws: ['chat.v2'], deflate: true } },
];
