/** The benchmark's origin server, run in its own process: `node dist/bench.js origin`. */
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachWebSockets } from './ws-origin';

const BLOCK = Buffer.alloc(1024 * 1024, 'porthole-bench-');

/** The benchmark's download body: BLOCK repeated, cut to `size` (the bench knows its sha256). */
export const BENCH_BLOCK = BLOCK;

export function runOrigin(): void {
  // One server-sent event stream at a time: each event carries the monotonic clock (shared by
  // processes on this machine) at the moment it was written; the next waits for POST /ack.
  let events: http.ServerResponse | null = null;
  const sendEvent = () => events?.write(`data: ${process.hrtime.bigint()}\n\n`);
  const server = http.createServer((req, res) => {
    if (webSocketStats(req, res)) return;
    const url = new URL(req.url ?? '/', 'http://origin');
    if (url.pathname === '/upload') {
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
      });
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ bytes, sha256: hash.digest('hex') }));
      });
      return;
    }
    if (url.pathname === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      events = res;
      sendEvent();
      return;
    }
    if (url.pathname === '/ack') {
      res.end('ok');
      sendEvent();
      return;
    }
    if (url.pathname === '/bytes') {
      const size = Number(url.searchParams.get('size') ?? 0);
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': size });
      let sent = 0;
      const pump = () => {
        while (sent < size) {
          const n = Math.min(BLOCK.length, size - sent);
          sent += n;
          if (!res.write(n === BLOCK.length ? BLOCK : BLOCK.subarray(0, n))) {
            res.once('drain', pump);
            return;
          }
        }
        res.end();
      };
      pump();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 13 });
    res.end('hello, bench\n');
  });
  const webSocketStats = attachWebSockets(server);
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
  });
  process.on('disconnect', () => process.exit(0));
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}
