/**
 * WebSocket (and any other HTTP/1.1) upgrades through the front server (front.ts): the request goes
 * to workerd on a connection of its own; a `101` is written back and the two sockets are piped, byte
 * for byte, until either ends. Any other answer is a refusal: it is relayed as it is and the
 * connection ends, so nothing the viewer sends after it bypasses the front's rules.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { FrontRefusal, forwardRequest, MAX_RESPONSE_HEAD, responseHeaders } from './front-request';
import { writeRawRefusal } from './front-refusal';

/** A status line and header lines, latin1 as Node keeps raw header bytes. */
function head(status: number, reason: string, raw: string[], extra: string[] = []): Buffer {
  const lines = [`HTTP/1.1 ${status} ${reason}`];
  const all = [...raw, ...extra];
  for (let i = 0; i < all.length; i += 2) lines.push(`${all[i]}: ${all[i + 1]}`);
  lines.push('', '');
  return Buffer.from(lines.join('\r\n'), 'latin1');
}

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
 * workerd's proxy-style socket at `upstream`.
 */
export function relayUpgrade(
  upstream: { host: string; port: number },
  scheme: 'http' | 'https',
  req: http.IncomingMessage,
  socket: Duplex,
  early: Buffer,
): void {
  let forward;
  try {
    forward = forwardRequest(req, scheme, req.socket.remoteAddress, true);
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
  const leftEarly = () => up.destroy();
  socket.once('close', leftEarly);
  socket.on('error', leftEarly);
  up.on('upgrade', (answer: http.IncomingMessage, connection: Socket, upstreamEarly: Buffer) => {
    socket.off('close', leftEarly);
    socket.off('error', leftEarly);
    socket.write(head(101, answer.statusMessage || 'Switching Protocols', answer.rawHeaders));
    if (upstreamEarly.length > 0) socket.write(upstreamEarly);
    if (early.length > 0) connection.write(early);
    splice(socket, connection);
  });
  up.on('response', (answer: http.IncomingMessage) => {
    // A refusal, streamed as it comes (the gateway relays an origin's refusal however big), with its
    // Content-Length if it has one and otherwise delimited by the close that ends the connection.
    const lines = responseHeaders(answer.rawHeaders);
    socket.write(head(answer.statusCode ?? 502, answer.statusMessage ?? '', lines, ['Connection', 'close']));
    answer.pipe(socket);
    answer.on('error', () => socket.destroy());
  });
  up.on('error', () => {
    if (socket.writable) {
      void writeRawRefusal(
        socket,
        new FrontRefusal(502, 'runtime_unavailable', 'The local Workers runtime did not answer.'),
      );
    }
  });
  up.end();
}
