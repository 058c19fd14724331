/**
 * Rows of the fidelity table for the issue-14 kinds: a row whose kind is fixed names it and passes;
 * one that still fails says so in `fails` (run as `it.fails`: when its kind is fixed it starts
 * passing, vitest reports it, and the `fails` line goes).
 * Kind 3 rows (Host rewritten, nothing that depends on it) ask the origin directly by the public
 * host, as the app would be asked if it were served there.
 */
import { gzipSync } from 'node:zlib';
import { answer, echo, stream } from './cases';
import type { Case } from './runner';

export const failing: Case[] = [
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
    name: 'MKCOL without a body arrives without one (kind 4)',
    method: 'MKCOL',
    path: '/dir/',
    seen: ['content-length', 'transfer-encoding'],
    origin: answer(201),
  },
  {
    name: 'UTF-8 Content-Disposition filename',
    fails: 'kind 5, header bytes outside ASCII',
    compare: ['content-disposition'],
    origin: answer(200, { 'content-disposition': Buffer.from('attachment; filename="résumé.pdf"').toString('latin1') }),
  },
  {
    name: 'UTF-8 request header',
    fails: 'kind 5, header bytes outside ASCII',
    headers: { 'x-note': Buffer.from('€5').toString('latin1') },
    seen: ['x-note'],
    origin: echo,
  },
  {
    name: 'repeated response header other than Set-Cookie',
    fails: 'kind 6, repeated headers folded',
    compare: ['x-multi', 'link'],
    origin: answer(200, { 'x-multi': ['one', 'two'], link: ['</a.css>; rel=preload', '</b.js>; rel=preload'] }),
  },
  {
    name: 'response head over 16 KiB (kind 6)',
    compare: ['set-cookie'],
    origin: answer(200, { 'set-cookie': Array.from({ length: 40 }, (_, i) => `c${i}=${'v'.repeat(500)}`) }),
  },
  {
    name: 'Expect: 100-continue gets 100 Continue',
    fails: 'kind 6, no 100 Continue',
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
];
