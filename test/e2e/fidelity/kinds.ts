/**
 * Rows of the fidelity table for the issue-14 kinds: a row whose kind is fixed names it and passes;
 * one that still fails says so in `fails` (run as `it.fails`: when its kind is fixed it starts
 * passing, vitest reports it, and the `fails` line goes).
 * Kind 3 rows (Host rewritten, nothing that depends on it) ask the origin directly by the public
 * host, as the app would be asked if it were served there.
 */
import { gzipSync } from 'node:zlib';
import { answer, echo, stream } from './cases';
import { bodiless, gzipStream, negotiating } from './origins';
import type { Case } from './runner';

/** A header value as Node takes raw bytes: the latin1 string of the text's UTF-8 bytes. */
const utf8 = (text: string) => Buffer.from(text).toString('latin1');

export const kinds: Case[] = [
  {
    name: 'no Accept-Encoding: the origin does not compress (kind 1)',
    compare: ['content-encoding'],
    seen: ['accept-encoding'],
    origin: (req, res) => {
      const gzip = /gzip/.test(req.headers['accept-encoding'] ?? '');
      res.writeHead(200, { 'content-type': 'application/json', ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
      res.end(gzip ? gzipSync('{"ok":true}') : '{"ok":true}');
    },
  },
  {
    name: 'Accept-Encoding: gzip: the origin’s own gzip bytes arrive as sent (kind 1)',
    headers: { 'accept-encoding': 'gzip' },
    compare: ['content-encoding', 'vary'],
    seen: ['accept-encoding'],
    origin: negotiating(),
  },
  {
    name: 'Accept-Encoding: br only: the origin’s own br bytes arrive as sent (kind 1)',
    headers: { 'accept-encoding': 'br' },
    compare: ['content-encoding', 'vary'],
    seen: ['accept-encoding'],
    origin: negotiating(),
  },
  {
    name: 'a browser’s Accept-Encoding reaches the origin as sent; its 200 KB br arrives as sent (kind 1)',
    headers: { 'accept-encoding': 'gzip, deflate, br, zstd' },
    compare: ['content-encoding', 'vary'],
    seen: ['accept-encoding'],
    origin: negotiating(200_000),
  },
  {
    name: 'text/plain streamed to a browser-like viewer, line by line (kind 2)',
    headers: { 'accept-encoding': 'gzip, deflate, br, zstd' },
    origin: stream('text/plain'),
  },
  {
    name: 'text/html streamed to a browser-like viewer, chunk by chunk (kind 2)',
    headers: { 'accept-encoding': 'gzip, deflate, br, zstd' },
    origin: stream('text/html'),
  },
  {
    name: 'NDJSON streamed to a browser-like viewer, record by record (kind 2)',
    headers: { 'accept-encoding': 'gzip, deflate, br, zstd' },
    origin: stream('application/json'),
  },
  {
    name: 'the origin’s own gzip stream to a viewer whose first choice is gzip, chunk by chunk (kind 2)',
    headers: { 'accept-encoding': 'gzip, deflate, br, zstd' },
    compare: ['content-encoding'],
    origin: gzipStream,
  },
  {
    name: 'the origin’s own gzip stream to a viewer that prefers br, chunk by chunk (kind 2)',
    headers: { 'accept-encoding': 'br, gzip' },
    compare: ['content-encoding'],
    origin: gzipStream,
  },
  {
    name: 'a bare POST arrives without a body or framing (kind 4)',
    ...bodiless('POST'),
    origin: echo,
  },
  {
    name: 'COPY with Destination and no body (kind 4)',
    ...bodiless('COPY', { destination: 'http://PUBLIC_HOST/b.txt', overwrite: 'F' }),
    path: '/a.txt',
    publicHost: true,
    origin: answer(201),
  },
  {
    name: 'MOVE with Destination and no body (kind 4)',
    ...bodiless('MOVE', { destination: 'http://PUBLIC_HOST/dir/b.txt' }),
    path: '/a.txt',
    publicHost: true,
    origin: answer(201),
  },
  {
    name: 'DELETE without a body (kind 4)',
    ...bodiless('DELETE'),
    path: '/a.txt',
    origin: answer(204),
  },
  {
    name: 'MKCOL without a body arrives without one (kind 4)',
    method: 'MKCOL',
    path: '/dir/',
    seen: ['content-length', 'transfer-encoding'],
    origin: answer(201),
  },
  {
    name: 'UTF-8 Content-Disposition filename (kind 5)',
    compare: ['content-disposition'],
    origin: answer(200, { 'content-disposition': utf8('attachment; filename="résumé.pdf"') }),
  },
  {
    name: 'UTF-8 response header with a 4-byte character (kind 5)',
    compare: ['x-title'],
    origin: answer(200, { 'x-title': utf8('🚀 déploiement ✓') }),
  },
  {
    name: 'UTF-8 request header (kind 5)',
    headers: { 'x-note': utf8('€5') },
    seen: ['x-note'],
    origin: echo,
  },
  {
    name: 'UTF-8 in an app cookie (kind 5)',
    headers: { cookie: utf8('name=Zoë; city=Kraków') },
    seen: ['cookie'],
    origin: echo,
  },
  {
    name: 'repeated response headers outside the runtime’s table stay apart (kind 6)',
    compare: ['x-multi', 'server-timing', 'content-security-policy'],
    origin: answer(200, {
      'x-multi': ['one', 'two'],
      'server-timing': ['db;dur=53', 'app;dur=47.2'],
      'content-security-policy': ["default-src 'self'", 'img-src *'],
    }),
  },
  {
    name: 'response head over 16 KiB (kind 6)',
    compare: ['set-cookie'],
    origin: answer(200, { 'set-cookie': Array.from({ length: 40 }, (_, i) => `c${i}=${'v'.repeat(500)}`) }),
  },
  {
    name: 'response head of 60 KiB: one Content-Security-Policy of 60 KiB (kind 6)',
    compare: ['content-security-policy'],
    origin: answer(200, {
      'content-security-policy': `script-src 'self' ${Array.from({ length: 1300 }, (_, i) => `'sha256-${String(i).padStart(36, 'A')}='`).join(' ')}`,
    }),
  },
  {
    name: 'response head of 200 distinct headers (kind 6)',
    compare: Array.from({ length: 200 }, (_, i) => `x-r-${i}`),
    origin: answer(200, Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`x-r-${i}`, `value ${i}`]))),
  },
  {
    name: 'Expect: 100-continue gets 100 Continue',
    method: 'PUT',
    headers: { expect: '100-continue' },
    body: Buffer.from('upload'),
    origin: echo,
  },
  {
    name: 'a redirect built from Host stays on the public host (kind 3)',
    publicHost: true,
    compare: ['location'],
    origin: (req, res) => answer(302, { location: `http://${req.headers.host}/login` })(req, res),
  },
  {
    name: 'a same-origin check of Origin against Host passes (kind 3)',
    publicHost: true,
    method: 'POST',
    headers: { origin: 'http://PUBLIC_HOST' },
    body: Buffer.from('a=1'),
    origin: (req, res) => {
      const same = req.headers.origin === `http://${req.headers.host}`;
      answer(same ? 200 : 403, { 'content-type': 'text/plain' }, same ? 'same origin' : 'cross origin')(req, res);
    },
  },
  {
    name: 'a redirect from Host with a path, query and fragment, and Refresh, stay on the public host (kind 3)',
    publicHost: true,
    compare: ['location', 'content-location', 'refresh'],
    origin: (req, res) =>
      answer(303, {
        location: `http://${req.headers.host}/login?next=%2Fa%3Fb&x=1#top`,
        'content-location': `http://${req.headers.host}/a`,
        refresh: `5; url=http://${req.headers.host}/later`,
      })(req, res),
  },
  {
    name: 'a Referer check against Host passes (kind 3)',
    publicHost: true,
    method: 'POST',
    headers: { referer: 'http://PUBLIC_HOST/form?step=2' },
    body: Buffer.from('a=1'),
    origin: (req, res) => {
      const same = (req.headers.referer ?? '').startsWith(`http://${req.headers.host}/`);
      answer(same ? 200 : 403, { 'content-type': 'text/plain' }, same ? 'same origin' : 'cross origin')(req, res);
    },
  },
  {
    name: 'a WebDAV MOVE whose origin checks Destination against Host, as nginx does, passes (kind 3)',
    publicHost: true,
    ...bodiless('MOVE', { destination: 'http://PUBLIC_HOST/b.txt' }),
    path: '/a.txt',
    origin: (req, res) => {
      const same = String(req.headers.destination).startsWith(`http://${req.headers.host}/`);
      answer(same ? 201 : 400, { 'content-type': 'text/plain' }, same ? 'moved' : 'other repository')(req, res);
    },
  },
  {
    name: 'a cross-site Origin stays cross-site (kind 3)',
    publicHost: true,
    method: 'POST',
    headers: { origin: 'http://localhost.evil.example' },
    body: Buffer.from('a=1'),
    origin: (req, res) => {
      const same = req.headers.origin === `http://${req.headers.host}`;
      answer(same ? 200 : 403, { 'content-type': 'text/plain' }, same ? 'same origin' : 'cross origin')(req, res);
    },
  },
  {
    name: 'a WebSocket upgrade whose origin checks Origin against Host is accepted (kind 3)',
    publicHost: true,
    headers: { origin: 'http://PUBLIC_HOST' },
    protocols: ['chat.v2'],
    origin: { ws: ['chat.v2'], deflate: true, sameOrigin: true },
  },
  {
    name: 'Accept-Encoding: identity: the origin’s 200 KB of plain JSON as sent (kind 1)',
    headers: { 'accept-encoding': 'identity' },
    compare: ['content-encoding', 'vary'],
    seen: ['accept-encoding'],
    origin: negotiating(200_000),
  },
  {
    name: 'a streamed text/html to a browser streams, unencoded (kind 2)',
    headers: { 'accept-encoding': 'gzip, deflate, br, zstd' },
    compare: ['content-encoding'],
    origin: stream('text/html'),
  },
  {
    name: 'JSON with Cache-Control: no-transform to a browser, as sent (kind 2)',
    headers: { 'accept-encoding': 'gzip, deflate, br, zstd' },
    compare: ['cache-control', 'content-encoding'],
    origin: answer(200, { 'content-type': 'application/json', 'cache-control': 'no-transform' }, '{"a":1}'.repeat(100)),
  },
];
