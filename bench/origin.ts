/** The benchmark's origin server, run in its own process: `node dist/bench.js origin`. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const BLOCK = Buffer.alloc(1024 * 1024, 'porthole-bench-');

export function runOrigin(): void {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://origin');
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
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
  });
  process.on('disconnect', () => process.exit(0));
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
}
