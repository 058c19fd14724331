/**
 * WebSocket (and any other HTTP/1.1) upgrades through the front server (front.ts): the request goes
 * to workerd on a connection of its own; a `101` is written back and the two sockets are piped, byte
 * for byte, until either ends. Any other answer is a refusal: it is relayed as it is and the
 * connection ends, so nothing the viewer sends after it bypasses the front's rules.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import {
  FrontRefusal,
  type ForwardedRequest,
  forwardRequest,
  MAX_RESPONSE_HEAD,
  responseHeaders,
} from './front-request';
import { rawHead } from './front-body';
import { writeRawRefusal } from './front-refusal';

/**
 * Bytes a viewer may send after its upgrade request before the answer, kept for the upgraded
 * connection; past it the socket is no longer read (and its leaving is seen only at the answer).
 */
const MAX_EARLY = 64 * 1024;

/** Pipes `a` and `b` both ways; when either closes or fails, both are destroyed. */
function splice(a: Duplex, b: Duplex): void {
  const close = () => {
    a.destroy();
    b.destroy();
  };
  for (const side of [a, b]) {
    side.on('error', close);
    side.on('close', close);
    (side as Socket).setNoDelay?.(true);
    (side as Socket).setTimeout?.(0);
  }
  a.pipe(b);
  b.pipe(a);
}

/**
 * Relays the upgrade request `req` (socket `socket`, bytes already read past its head `early`) to
 * workerd's proxy-style socket at `upstream`. The request is named `requestId`, and a viewer that
 * leaves before the answer is reported with `tellLeft` (front.ts): an upgrade waiting for a stream
 * leaves the queue at once. A socket not read shows no close, so it is read while the answer is
 * awaited, and what arrives is kept for the upgraded connection.
 */
export function relayUpgrade(
  upstream: { host: string; port: number },
  scheme: 'http' | 'https',
  req: http.IncomingMessage,
  socket: Duplex,
  early: Buffer,
  requestId?: string,
  tellLeft: (forward: ForwardedRequest) => void = () => {},
): void {
  let forward;
  try {
    forward = forwardRequest(req, scheme, req.socket.remoteAddress, true, requestId);
  } catch (error) {
    void writeRawRefusal(socket, error);
    return;
  }
  const up = http.request({
    host: upstream.host,
    port: upstream.port,
    method: req.method,
    path: forward.target,
    headers: forward.headers,
    setHost: false,
    agent: false,
    maxHeaderSize: MAX_RESPONSE_HEAD,
  });
  up.maxHeadersCount = 0;
  const sent = forward;
  const pending = [early];
  let size = early.length;
  const keep = (chunk: Buffer) => {
    pending.push(chunk);
    size += chunk.length;
    if (size > MAX_EARLY) socket.pause();
  };
  const watching = () => {
    socket.off('data', keep);
    socket.off('end', leftEarly);
    socket.off('close', leftEarly);
    socket.off('error', leftEarly);
  };
  let gone = false;
  const leftEarly = () => {
    gone = true;
    watching();
    up.destroy();
    tellLeft(sent);
  };
  socket.on('data', keep);
  socket.once('end', leftEarly);
  socket.once('close', leftEarly);
  socket.on('error', leftEarly);
  up.on('upgrade', (answer: http.IncomingMessage, connection: Socket, upstreamEarly: Buffer) => {
    watching();
    socket.write(rawHead(101, answer.statusMessage || 'Switching Protocols', answer.rawHeaders));
    if (upstreamEarly.length > 0) socket.write(upstreamEarly);
    if (size > 0) connection.write(Buffer.concat(pending));
    splice(socket, connection);
  });
  up.on('response', (answer: http.IncomingMessage) => {
    watching();
    // A refusal, streamed as it comes (the gateway relays an origin's refusal however big), with its
    // Content-Length if it has one and otherwise delimited by the close that ends the connection.
    const lines = responseHeaders(answer.rawHeaders);
    // The viewer may reset while the refusal is written: past `watching()` nothing else listens for it.
    socket.on('error', () => {
      socket.destroy();
      answer.destroy();
    });
    socket.write(rawHead(answer.statusCode ?? 502, answer.statusMessage ?? '', lines, ['Connection', 'close']));
    answer.pipe(socket);
    answer.on('error', () => socket.destroy());
  });
  up.on('error', () => {
    if (!gone && socket.writable) {
      void writeRawRefusal(
        socket,
        new FrontRefusal(502, 'runtime_unavailable', 'The local Workers runtime did not answer.'),
      );
    }
  });
  up.end();
}
