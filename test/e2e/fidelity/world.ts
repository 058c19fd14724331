/**
 * More real-world rows: things known to break apps behind tunnels (cloudflared, frp, ngrok,
 * Codespaces trackers) beyond issue 14's kinds. Each passes as sent unless it says what changes.
 */
import { randomBytes } from 'node:crypto';
import { answer, echo } from './cases';
import type { Case } from './runner';

const BROWSER = { 'accept-encoding': 'gzip, deflate, br, zstd' };
const PAGE = '<!doctype html><p>hello</p>';
const JSON_700 = '{"a":1}'.repeat(100);
const MEGABYTE = randomBytes(1024 * 1024);

export const world: Case[] = [
  {
    name: 'Vary: Accept-Encoding kept on a page of known length to a browser, the body as sent',
    headers: BROWSER,
    compare: ['vary', 'content-encoding'],
    origin: answer(200, { 'content-type': 'text/html', vary: 'Accept-Encoding', 'content-length': '27' }, PAGE),
  },
  {
    name: 'a 1 MB download arrives with its Content-Length',
    headers: BROWSER,
    origin: (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': MEGABYTE.length });
      res.end(MEGABYTE);
    },
  },
  {
    name: 'Content-Type with a charset, byte for byte',
    origin: answer(200, { 'content-type': 'text/html;Charset="UTF-8"' }, '<p>é</p>'),
  },
  {
    name: 'a response with no Content-Type gets none',
    origin: (_req, res) => res.end('no type'),
  },
  {
    name: '307 to a relative Location is kept as sent',
    method: 'POST',
    body: Buffer.from('a=1'),
    compare: ['location'],
    origin: answer(307, { location: '../login?next=%2Fa%3Fb#top' }),
  },
  {
    name: 'JSON of known length with Cache-Control: no-transform to a browser, as sent (Express res.json)',
    headers: BROWSER,
    compare: ['cache-control', 'content-encoding'],
    origin: answer(
      200,
      { 'content-type': 'application/json', 'cache-control': 'no-transform', 'content-length': '700' },
      JSON_700,
    ),
  },
  {
    name: 'strong and weak ETag, and Last-Modified, kept',
    path: '/a.js',
    compare: ['etag', 'last-modified'],
    origin: (req, res) =>
      answer(200, {
        'content-type': 'text/javascript',
        etag: req.url === '/a.js' ? 'W/"5-abc"' : '"x"',
        'last-modified': 'Tue, 01 Dec 2026 00:00:00 GMT',
      })(req, res),
  },
  {
    name: 'HEAD of a response the origin would send chunked',
    method: 'HEAD',
    compare: ['transfer-encoding'],
    origin: (_req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.write('streamed');
      res.end();
    },
  },
  {
    name: 'an unusual status keeps its code',
    origin: answer(299, { 'content-type': 'text/plain' }, 'unusual'),
  },
  {
    name: 'a CORS preflight from another origin is answered by the app',
    method: 'OPTIONS',
    headers: {
      origin: 'https://app.example',
      'access-control-request-method': 'PUT',
      'access-control-request-headers': 'x-token, content-type',
    },
    seen: ['origin', 'access-control-request-method', 'access-control-request-headers'],
    compare: [
      'access-control-allow-origin',
      'access-control-allow-methods',
      'access-control-allow-headers',
      'access-control-max-age',
    ],
    origin: answer(204, {
      'access-control-allow-origin': 'https://app.example',
      'access-control-allow-methods': 'GET, PUT',
      'access-control-allow-headers': 'x-token, content-type',
      'access-control-max-age': '600',
    }),
  },
  {
    name: 'a POST with an empty JSON body (Content-Length: 0)',
    method: 'POST',
    body: Buffer.alloc(0),
    seen: ['content-length'],
    origin: echo,
  },
];
