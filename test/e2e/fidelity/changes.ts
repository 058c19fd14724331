/**
 * Rows of the fidelity table where a preview differs from the origin on purpose: each names what
 * differs (`changes`, a header or `:target`) and why. The runner checks that these do differ and
 * that everything else is the same, so this file is the list of what Porthole changes.
 */
import type http from 'node:http';
import { answer, echo } from './cases';
import type { Case } from './runner';

/** A chunked response: the origin writes twice, then ends with a trailer it announced. */
const withTrailer = (_req: http.IncomingMessage, res: http.ServerResponse) => {
  res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-checksum' });
  res.write('part one\n');
  res.write('part two\n');
  res.addTrailers({ 'x-checksum': 'sha1=abc' });
  res.end();
};

/**
 * Why a repeated response header arrives as one line: the runtime (workerd 1.20260426) folds the
 * repeated values of the header names in its built-in table of common headers (README "Repeated
 * response headers" lists them) into one line joined by `, `; other names, and Set-Cookie, stay apart.
 */
const FOLDED =
  'the runtime folds repeated headers of its common-header table into one line joined by `, ` (RFC 9110 5.3: ' +
  'the same field value for list headers); the gateway appends each line, the runtime joins them on output';

export const changes: Case[] = [
  {
    name: 'hop-by-hop and forwarding headers',
    headers: { connection: 'x-hop', 'x-hop': '1' },
    seen: ['x-hop', 'x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-for'],
    compare: ['x-porthole-debug'],
    changes: {
      'x-hop': 'named in Connection: hop-by-hop, for the gateway, not the origin (RFC 9110 7.6.1)',
      'x-forwarded-host': 'the public host, set by the gateway: the origin sees Host localhost:<port>',
      'x-forwarded-proto': 'the public scheme, set by the gateway',
      'x-forwarded-for': 'the viewer address, set by the gateway (never the viewer’s claim)',
      'x-porthole-debug': "Porthole's own header namespace: an origin cannot speak for the gateway",
    },
    origin: answer(200, { 'x-porthole-debug': 'from the app', 'content-type': 'text/plain' }, 'ok'),
  },
  {
    name: '205 Reset Content',
    method: 'POST',
    body: Buffer.from('x'),
    compare: ['transfer-encoding'],
    changes: {
      'content-length': 'the runtime states the empty body as Content-Length: 0 (RFC 9110 15.3.6 allows it)',
      'transfer-encoding': 'framing is per hop: Node frames the empty body as chunked, the runtime by length',
    },
    origin: answer(205),
  },
  {
    name: 'encoded path: %2E%2E segments are resolved',
    path: '/static/%2E%2E/%2e%2e/etc',
    changes: {
      ':target':
        'the runtime parses the URL as WHATWG URL does, where %2E%2E is a dot segment, as a browser does before ' +
        'sending: only a client that sends it raw (curl --path-as-is) sees the difference; the origin gets /etc',
    },
    origin: answer(200, { 'content-type': 'text/plain' }, 'a file'),
  },
  {
    name: 'WebSocket permessage-deflate where the origin does not take it',
    protocols: ['chat.v2'],
    changes: {
      'sec-websocket-extensions':
        'negotiated per hop: the runtime compresses with the viewer whatever the origin supports; messages arrive the same',
    },
    origin: { ws: ['chat.v2'] },
  },
  {
    name: 'Host is localhost:<port> at the origin, and Origin and Referer follow it',
    publicHost: true,
    headers: { origin: 'http://PUBLIC_HOST', referer: 'http://PUBLIC_HOST/form?a=1' },
    seen: ['host', 'origin', 'referer'],
    changes: {
      host: 'dev servers (Vite, webpack) refuse unknown hosts; the public one is in X-Forwarded-Host, --preserve-host keeps it',
      origin:
        'the preview’s own public origin names http://localhost:<port>, as Host does, so same-origin checks hold (any other origin is kept)',
      referer:
        'likewise, when it names the preview’s own public origin; responses map Location, Content-Location and Refresh back',
    },
    origin: answer(200, { 'content-type': 'text/plain' }, 'ok'),
  },
  {
    name: "Porthole's own cookies do not reach the app",
    headers: { cookie: 'app=1; porthole_grant=secret; theme=dark' },
    seen: ['cookie'],
    changes: {
      cookie: 'names beginning `porthole` are the gateway’s (a viewer’s grant): removed, the app’s own pass as sent',
    },
    origin: echo,
  },
  {
    name: 'repeated Link is folded, repeated X-Multi is not (kind 6)',
    compare: ['x-multi', 'link'],
    changes: { link: FOLDED },
    origin: answer(200, { 'x-multi': ['one', 'two'], link: ['</a.css>; rel=preload', '</b.js>; rel=preload'] }),
  },
  {
    name: 'repeated Vary, Cache-Control and WWW-Authenticate are folded (kind 6)',
    compare: ['vary', 'cache-control', 'www-authenticate'],
    changes: { vary: FOLDED, 'cache-control': FOLDED, 'www-authenticate': FOLDED },
    origin: answer(401, {
      vary: ['Accept', 'Origin'],
      'cache-control': ['no-store', 'private'],
      'www-authenticate': ['Basic realm="app"', 'Bearer realm="api"'],
    }),
  },
  {
    name: 'a response header whose bytes are not UTF-8 is dropped (kind 5)',
    compare: ['x-latin', 'x-kept'],
    changes: {
      'x-latin':
        'the runtime writes header text as UTF-8, so raw Latin-1 bytes (0xE9 for é) cannot cross as sent: dropped ' +
        "and logged rather than altered; RFC 9110 5.5 asks for ASCII, RFC 8187 (filename*=UTF-8''…) carries any text",
    },
    origin: answer(200, { 'x-latin': Buffer.from('caf\xe9', 'latin1').toString('latin1'), 'x-kept': 'yes' }),
  },
  {
    name: 'request header bytes that are not UTF-8 arrive as the runtime decoded them (kind 5)',
    headers: { 'x-latin': 'caf\xe9' },
    seen: ['x-latin'],
    changes: {
      'x-latin':
        'the runtime decodes a viewer’s header bytes as UTF-8, each bad sequence as U+FFFD: the origin gets ' +
        'its UTF-8 bytes (EF BF BD), the bytes sent are gone before the gateway sees them',
    },
    origin: echo,
  },
  {
    name: 'a chunked response with a trailer: the body arrives, the trailer does not',
    compare: ['trailer', 'trailer:x-checksum'],
    changes: {
      trailer: 'the gateway drops it as hop-by-hop (RFC 2616 13.5.1): it would announce a field that never comes',
      'trailer:x-checksum':
        'trailers are not carried: the client does not read them and a Workers Response cannot send any; ' +
        'the body is whole and ends as the origin ended it',
    },
    origin: withTrailer,
  },
];
