/**
 * A raw TCP stream (protocol v9, OPEN `tcp: true`; docs/tcp-forwarding.md): the owner's
 * `porthole forward` reaching a port of this VM byte for byte. The origin is dialled on loopback
 * (127.0.0.1, then ::1 when refused); once connected the stream answers RESPONSE 200, and from then
 * on the stream's DATA are the connection's bytes both ways, within the multiplexer's windows:
 * - gateway → origin: a chunk is read from the stream (which returns its credit) only once the
 *   socket took the previous one (or, when it said wait, at its `drain`), so a slow origin holds the
 *   sender back;
 * - origin → gateway: the socket is paused while a write waits for window;
 * - END either way is a TCP half-close (`socket.end()`; the origin's FIN ends our direction);
 * - an origin that resets or fails resets the stream (ORIGIN_ERROR); a reset from the gateway (the
 *   owner's side reset, the tunnel lost, access withdrawn) resets the origin connection (RST).
 * Nothing of the bytes is kept in the request log (a database's traffic carries its passwords): the
 * log records the connection, its outcome and its duration.
 */
import net from 'node:net';
import { type MuxStream, ResetCode, StreamResetError } from '../../protocol';
import type { LogEntry } from '../requests/entry';
import { drained } from '../net/drain';
import { LOOPBACK } from './loopback';

/** Serve the raw TCP stream `stream` (its OPEN had `tcp: true`) against `port` on loopback. Never throws. */
export function proxyTcp(stream: MuxStream, port: number, entry: LogEntry | null, attempt = 0): void {
  const socket = net.connect({ host: LOOPBACK[attempt], port, allowHalfOpen: true, noDelay: true });
  let connected = false;
  const gone = (error: StreamResetError | null) => {
    if (error && !socket.destroyed) socket.resetAndDestroy();
  };
  void stream.done().then(gone);
  socket.once('connect', () => {
    connected = true;
    try {
      stream.respond({ status: 200, headers: [] });
    } catch {
      socket.resetAndDestroy(); // The stream was reset while we dialled.
      return;
    }
    entry?.head(200, []);
    void toOrigin(stream, socket);
    fromOrigin(stream, socket);
  });
  socket.on('error', (error: NodeJS.ErrnoException) => {
    if (!connected && error.code === 'ECONNREFUSED' && attempt + 1 < LOOPBACK.length) {
      proxyTcp(stream, port, entry, attempt + 1);
      return;
    }
    const refused = !connected && error.code === 'ECONNREFUSED';
    const reason = connected
      ? `the connection to port ${port} failed: ${error.code ?? error.message}`
      : `nothing accepts connections on port ${port} (${error.code ?? error.message})`;
    stream.reset(refused ? ResetCode.REFUSED : ResetCode.ORIGIN_ERROR, reason);
  });
}

/** Gateway → origin: read a chunk only after the socket took the last one; END is a half-close. */
async function toOrigin(stream: MuxStream, socket: net.Socket): Promise<void> {
  try {
    for (;;) {
      const chunk = await stream.read();
      if (chunk === null) {
        if (!socket.destroyed) socket.end();
        return;
      }
      if (socket.destroyed) return;
      if (!socket.write(chunk)) await drained(socket);
    }
  } catch (error) {
    if (!(error instanceof StreamResetError)) throw error;
  }
}

/** Origin → gateway: pause the socket while a write waits for window; its FIN ends our direction. */
function fromOrigin(stream: MuxStream, socket: net.Socket): void {
  socket.on('data', (data: Buffer) => {
    socket.pause();
    stream.write(data).then(
      () => socket.resume(),
      () => socket.resetAndDestroy(),
    );
  });
  socket.on('end', () => {
    void stream.end().catch(() => {});
  });
}
