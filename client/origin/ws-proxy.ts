/**
 * Replays a viewer's WebSocket upgrade against the local origin; once the
 * origin accepted (RESPONSE 101 on the stream), dials the stream's data
 * connection to the gateway, which the gateway couples to the viewer's
 * socket, and pipes origin ⇄ data connection (ws-pipe.ts: bounded buffers,
 * the origin held back while the viewer does not read). The stream stays
 * open as the WebSocket's handle: ended once both sockets closed; a reset
 * (viewer gone before the data connection came, tunnel lost) closes both.
 */
import type { IncomingMessage } from 'node:http';
import { debuglog } from 'node:util';
import WebSocket from 'ws';
import {
  closeReason,
  type HeaderPairs,
  MAX_WEBSOCKET_MESSAGE,
  type MuxStream,
  ResetCode,
  StreamResetError,
} from '../../protocol';
import type { LogEntry } from '../requests/entry';
import type { DialData } from '../tunnel/data-connection';
import { originHost, rawToPairs } from './headers';
import { originRequestValue, publicResponseHeaders } from './host-rewrite';
import { HEAD_TOO_LARGE, MAX_RESPONSE_HEAD_BYTES } from './http-proxy';
import { LOOPBACK, urlHost } from './loopback';
import { pipeWebSockets } from './ws-pipe';

const log = debuglog('porthole');

/** Request headers the ws library sets itself, or that describe the viewer's own connection. */
const OWN = new Set([
  'host',
  'upgrade',
  'connection',
  'sec-websocket-key',
  'sec-websocket-version',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
]);

/** Response headers that belong to the origin's handshake, not to the viewer's. */
const HANDSHAKE = new Set([
  'upgrade',
  'connection',
  'sec-websocket-accept',
  'sec-websocket-extensions',
  'sec-websocket-protocol',
]);

/**
 * Serve an upgraded stream (its OPEN in `stream.request`); `dial` makes its data connection. The head,
 * messages and close go into `entry` (null: not recorded). Never throws.
 */
export function proxyWebSocket(stream: MuxStream, preserveHost: boolean, dial: DialData, entry: LogEntry | null): void {
  const open = stream.request!;
  const headers: Record<string, string> = {};
  let protocols: string[] = [];
  for (const [name, value] of open.headers) {
    const lower = name.toLowerCase();
    if (lower === 'sec-websocket-protocol') {
      protocols = value
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
    }
    if (OWN.has(lower)) continue;
    // With Host rewritten, an Origin naming the public origin names the local one (host-rewrite.ts).
    const sent = preserveHost ? value : originRequestValue(lower, value, open);
    headers[lower] = headers[lower] === undefined ? sent : `${headers[lower]}, ${sent}`;
  }
  const host = originHost(open, preserveHost);
  attempt(0);

  function attempt(index: number): void {
    const address = urlHost(LOOPBACK[index] as string);
    let socket: WebSocket;
    try {
      socket = new WebSocket(`ws://${address}:${open.port}${open.path}`, protocols, {
        headers: { ...headers, host },
        perMessageDeflate: false,
        maxPayload: MAX_WEBSOCKET_MESSAGE,
        handshakeTimeout: 30_000,
        maxHeaderSize: MAX_RESPONSE_HEAD_BYTES,
      });
    } catch (error) {
      // ws refuses a request it cannot send (a bad subprotocol list, a header byte): the viewer's request
      // is at fault, so a 400 saying why; nothing reached the origin.
      void refuse(stream, `Porthole cannot send this WebSocket request to the app: ${(error as Error).message}`, entry);
      return;
    }
    let settled = false;
    socket.on('upgrade', (response: IncomingMessage) => {
      settled = true;
      const pairs: HeaderPairs = rawToPairs(response.rawHeaders).filter(([n]) => !HANDSHAKE.has(n.toLowerCase()));
      const chosen = response.headers['sec-websocket-protocol'];
      if (typeof chosen === 'string') pairs.push(['sec-websocket-protocol', chosen]);
      stream.respond({ status: 101, headers: pairs });
      entry?.head(101, pairs);
    });
    socket.on('open', () => attach(stream, socket, dial, entry));
    socket.on('unexpected-response', (_request, response: IncomingMessage) => {
      // The origin said no (404, 400 …): the viewer gets that answer as it was.
      settled = true;
      void relayRefusal(stream, response, preserveHost, entry);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      if (error.code === 'ECONNREFUSED' && index + 1 < LOOPBACK.length) {
        attempt(index + 1);
        return;
      }
      const code = error.code === 'ECONNREFUSED' ? ResetCode.REFUSED : ResetCode.ORIGIN_ERROR;
      const reason = error.code === 'HPE_HEADER_OVERFLOW' ? HEAD_TOO_LARGE : error.message;
      stream.reset(code, `WebSocket to port ${open.port}: ${reason}`);
    });
    // The viewer went away (or the tunnel did) before the origin answered.
    void stream.done().then((error) => {
      if (error && !settled) socket.terminate();
    });
  }
}

/** Answer the viewer 400 with `why` as plain text (the request never reached the origin). */
async function refuse(stream: MuxStream, why: string, entry: LogEntry | null): Promise<void> {
  try {
    const head = { status: 400, headers: [['content-type', 'text/plain; charset=utf-8']] as HeaderPairs };
    const body = Buffer.from(`${why}\n`);
    stream.respond(head);
    // Porthole answered instead of the app.
    entry?.head(head.status, head.headers);
    entry?.responseData(body);
    entry?.fail({ code: 'bad_request', message: why });
    await stream.write(body);
    await stream.end();
  } catch {
    // The stream was reset meanwhile (the viewer or the tunnel went away): nobody is left to tell.
  }
}

async function relayRefusal(
  stream: MuxStream,
  response: IncomingMessage,
  preserveHost: boolean,
  entry: LogEntry | null,
): Promise<void> {
  try {
    const pairs = rawToPairs(response.rawHeaders);
    const headers = preserveHost ? pairs : publicResponseHeaders(pairs, stream.request!);
    const status = response.statusCode ?? 502;
    stream.respond({ status, headers });
    entry?.head(status, headers);
    for await (const chunk of response) {
      entry?.responseData(chunk as Buffer);
      await stream.write(chunk as Buffer);
    }
    await stream.end();
  } catch (error) {
    response.destroy();
    // A reset stream (viewer or tunnel gone) needs no second reset; anything else is the origin's answer failing.
    if (!(error instanceof StreamResetError)) {
      stream.reset(
        ResetCode.ORIGIN_ERROR,
        `the origin's refusal of the WebSocket failed mid-answer: ${(error as Error).message}`,
      );
    }
  }
}

/** The origin socket is open: hold its messages until the data connection is, then pipe the two. */
function attach(stream: MuxStream, origin: WebSocket, dial: DialData, entry: LogEntry | null): void {
  origin.pause();
  const data = dial(stream.id);
  let settled = false;
  const refused = (why: string) => {
    if (settled) return;
    settled = true;
    origin.close(1011, 'the gateway refused the data connection');
    stream.reset(ResetCode.ORIGIN_ERROR, `the data connection failed: ${why}`);
  };
  data.once('unexpected-response', (_request, response: IncomingMessage) => {
    response.resume();
    data.terminate();
    refused(`the gateway answered ${response.statusCode}`);
  });
  // Once open, 'close' follows any error and the pipe handles it.
  data.on('error', (error: Error) => refused(error.message));
  data.once('open', () => {
    settled = true;
    if (origin.readyState !== WebSocket.OPEN) {
      // The origin closed while the data connection was on its way: nothing to pipe.
      data.close(1011, 'the origin closed the WebSocket before the viewer was connected');
      stream.end().catch(ignoreReset);
      return;
    }
    pipeWebSockets(
      {
        socket: origin,
        dropped: { code: 1011, reason: 'the origin dropped the WebSocket' },
        tooLarge: { code: 1009, reason: `the origin sent a message over ${MAX_WEBSOCKET_MESSAGE} bytes` },
      },
      {
        socket: data,
        dropped: { code: 1011, reason: 'the viewer dropped the WebSocket' },
        tooLarge: { code: 1009, reason: `the viewer sent a message over ${MAX_WEBSOCKET_MESSAGE} bytes` },
      },
      () => stream.end().catch(ignoreReset),
      entry ?? undefined,
    );
    origin.resume();
  });
  // The gateway gave up on this WebSocket (viewer gone before we attached, tunnel lost) or withdrew
  // the viewer's access (REVOKED: a policy close, 1008, with the gateway's reason): close both.
  void stream.done().then((error) => {
    if (!error) return;
    const reason = error.code === ResetCode.TUNNEL_CLOSED ? 'the tunnel to the session was lost' : error.message;
    const code = error.code === ResetCode.REVOKED ? 1008 : 1011;
    if (data.readyState === WebSocket.OPEN) data.close(code, closeReason(reason));
    else data.terminate();
    origin.terminate();
  });
}

/**
 * For the stream's END once both sockets closed: it rejects with StreamResetError when the stream was
 * reset first (viewer or tunnel gone), which leaves nothing to end. Anything else is unexpected and logged.
 */
function ignoreReset(error: unknown): void {
  if (!(error instanceof StreamResetError))
    log('ending a WebSocket stream failed: %s', (error as Error)?.stack ?? error);
}
