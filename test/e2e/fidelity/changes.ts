/**
 * Rows of the fidelity table where a preview differs from the origin on purpose: each names what
 * differs (`changes`, a header or `:target`) and why. The runner checks that these do differ and
 * that everything else is the same, so this file is the list of what Porthole changes.
 */
import { answer, echo } from './cases';
import type { Case } from './runner';

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
];
