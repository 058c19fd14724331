/**
 * The benchmark origin's WebSocket side, on the origin's own HTTP server:
 * `/ws/echo` echoes every message; `/ws/flood?bytes=N` sends N bytes of
 * random (incompressible) binary messages of 64 KiB as fast as its socket
 * takes them (never more than 1 MiB queued in this process), then one text
 * message with the sha256 of everything sent. `GET /ws/stats` answers how far
 * the last flood got: `{written, idleMs}` (bytes handed to the kernel, ms
 * since the last write completed).
 */
import { createHash, randomBytes } from 'node:crypto';
import type http from 'node:http';
import { WebSocketServer } from 'ws';

const CHUNK = 64 * 1024;
const QUEUED = 1024 * 1024;

export function attachWebSockets(
  server: http.Server,
): (req: http.IncomingMessage, res: http.ServerResponse) => boolean {
  const block = randomBytes(1024 * 1024 + CHUNK);
  const flood = { written: 0, lastWriteAt: Date.now() };
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 32 * 1024 * 1024 });
  wss.on('connection', (socket, request) => {
    const url = new URL(request.url ?? '/', 'http://origin');
    if (url.pathname === '/ws/echo') {
      socket.on('message', (data, isBinary) => socket.send(data as Buffer, { binary: isBinary }));
      return;
    }
    if (url.pathname !== '/ws/flood') return socket.close(1008, 'no such endpoint');
    const total = Number(url.searchParams.get('bytes') ?? 0);
    const hash = createHash('sha256');
    let sent = 0;
    let finished = false;
    flood.written = 0;
    flood.lastWriteAt = Date.now();
    const pump = () => {
      while (sent < total && socket.bufferedAmount < QUEUED && socket.readyState === socket.OPEN) {
        // A different 64 KiB window of the random block each time: no message repeats its neighbour.
        const offset = ((sent / CHUNK) % 16) * CHUNK;
        const chunk = block.subarray(offset, offset + Math.min(CHUNK, total - sent));
        hash.update(chunk);
        sent += chunk.length;
        socket.send(chunk, { binary: true }, () => {
          flood.written += chunk.length;
          flood.lastWriteAt = Date.now();
          setImmediate(pump);
        });
      }
      if (sent >= total && !finished && socket.readyState === socket.OPEN) {
        finished = true;
        socket.send(hash.digest('hex'));
      }
    };
    pump();
  });
  return (req, res) => {
    if (req.url !== '/ws/stats') return false;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ written: flood.written, idleMs: Date.now() - flood.lastWriteAt }));
    return true;
  };
}
