/**
 * Replays a viewer's WebSocket upgrade against the local origin and carries
 * its messages both ways over the stream: text and binary kept apart, in
 * order, closes with their code and reason. The origin socket is paused while
 * the tunnel has no window for it, so memory stays flat.
 */
import type { IncomingMessage } from 'node:http';
import { debuglog } from 'node:util';
import WebSocket from 'ws';
import {
  type HeaderPairs,
  MAX_WEBSOCKET_MESSAGE,
  type MuxStream,
  ResetCode,
  sendableCloseCode,
  StreamResetError,
  UpgradedStream,
} from '../../protocol';
import { originHost, rawToPairs } from './headers';
import { LOOPBACK, urlHost } from './loopback';

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

export function proxyWebSocket(stream: MuxStream, preserveHost: boolean): void {
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
    headers[lower] = headers[lower] === undefined ? value : `${headers[lower]}, ${value}`;
  }
  const host = originHost(open, preserveHost);
  attempt(0);

  function attempt(index: number): void {
    const address = urlHost(LOOPBACK[index] as string);
    const socket = new WebSocket(`ws://${address}:${open.port}${open.path}`, protocols, {
      headers: { ...headers, host },
      perMessageDeflate: false,
      maxPayload: MAX_WEBSOCKET_MESSAGE,
      handshakeTimeout: 30_000,
    });
    let settled = false;
    socket.on('upgrade', (response: IncomingMessage) => {
      settled = true;
      const pairs: HeaderPairs = rawToPairs(response.rawHeaders).filter(([n]) => !HANDSHAKE.has(n.toLowerCase()));
      const chosen = response.headers['sec-websocket-protocol'];
      if (typeof chosen === 'string') pairs.push(['sec-websocket-protocol', chosen]);
      stream.respond({ status: 101, headers: pairs });
    });
    socket.on('open', () => bridge(new UpgradedStream(stream), socket));
    socket.on('unexpected-response', (_request, response: IncomingMessage) => {
      // The origin said no (404, 400 …): the viewer gets that answer as it was.
      settled = true;
      void relayRefusal(stream, response);
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      if (error.code === 'ECONNREFUSED' && index + 1 < LOOPBACK.length) {
        attempt(index + 1);
        return;
      }
      const code = error.code === 'ECONNREFUSED' ? ResetCode.REFUSED : ResetCode.ORIGIN_ERROR;
      stream.reset(code, `WebSocket to port ${open.port}: ${error.message}`);
    });
    // The viewer went away (or the tunnel did) before the origin answered.
    void stream.done().then((error) => {
      if (error && !settled) socket.terminate();
    });
  }
}

async function relayRefusal(stream: MuxStream, response: IncomingMessage): Promise<void> {
  try {
    stream.respond({ status: response.statusCode ?? 502, headers: rawToPairs(response.rawHeaders) });
    for await (const chunk of response) await stream.write(chunk as Buffer);
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

function bridge(stream: UpgradedStream, socket: WebSocket): void {
  let closing = false;
  // Origin → viewer: each message waits for window; the socket pauses while writes queue up.
  let pending = 0;
  socket.on('message', (data: Buffer, isBinary: boolean) => {
    pending++;
    if (pending > 4) socket.pause();
    stream.send(data, !isBinary).then(
      () => {
        pending--;
        if (pending <= 4) socket.resume();
      },
      () => socket.terminate(),
    );
  });
  socket.on('close', (code: number, reason: Buffer) => {
    if (closing) return;
    closing = true;
    // 1006: the origin vanished without a close: the viewer's socket is failed, not closed cleanly.
    if (code === 1006) stream.reset(ResetCode.ORIGIN_ERROR, 'the origin dropped the WebSocket');
    else stream.close(code, reason.toString('utf8')).catch(ignoreReset);
  });
  socket.on('error', () => {
    // 'close' follows with 1006.
  });

  // Viewer → origin: read the next message only once the last one was handed to the socket.
  void (async () => {
    try {
      for (;;) {
        const event = await stream.next();
        if (event === null) {
          socket.terminate();
          return;
        }
        if (event.type === 'close') {
          if (!closing) {
            closing = true;
            // Answer the close on the stream too, then close the origin with the viewer's code.
            stream.close(event.code, event.reason).catch(ignoreReset);
          }
          socket.close(sendableCloseCode(event.code), event.reason);
          return;
        }
        await new Promise<void>((resolve, reject) =>
          socket.send(event.data, { binary: !event.text }, (error) => (error ? reject(error) : resolve())),
        );
      }
    } catch {
      // Reset by the gateway (viewer gone, tunnel lost) or the socket failed: drop the origin socket.
      socket.terminate();
    }
  })();
}

/**
 * For a close sent on the stream: it rejects with StreamResetError when the stream was reset first
 * (viewer or tunnel gone), which leaves nothing to close. Anything else is unexpected and logged.
 */
function ignoreReset(error: unknown): void {
  if (!(error instanceof StreamResetError))
    log('closing a WebSocket stream failed: %s', (error as Error)?.stack ?? error);
}
