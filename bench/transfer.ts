/** Bulk transfers with sha256 checks, and server-sent event latency, for the benchmark. */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { BENCH_BLOCK } from './origin';
import type { Target } from './load';

export interface Transfer {
  bytes: number;
  seconds: number;
  mbps: number;
  sha256: string;
}

/** sha256 of the first `size` bytes of BENCH_BLOCK repeated: what /bytes sends and upload() posts. */
export function patternHash(size: number): string {
  const hash = createHash('sha256');
  for (let left = size; left > 0; left -= BENCH_BLOCK.length) {
    hash.update(left >= BENCH_BLOCK.length ? BENCH_BLOCK : BENCH_BLOCK.subarray(0, left));
  }
  return hash.digest('hex');
}

/** Download `path`, hashing what arrives. */
export function download(target: Target, expected: number): Promise<Transfer> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const hash = createHash('sha256');
    const req = http.get(
      { host: '127.0.0.1', port: target.port, path: target.path, headers: { host: target.host }, agent: false },
      (res) => {
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          hash.update(chunk);
        });
        res.on('end', () => {
          const seconds = (performance.now() - t0) / 1000;
          if (bytes !== expected) reject(new Error(`download got ${bytes} of ${expected} bytes`));
          else resolve({ bytes, seconds, mbps: bytes / 1e6 / seconds, sha256: hash.digest('hex') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
}

/** POST `size` bytes of the pattern to /upload (chunked, as it is generated); the origin hashes it. */
export function upload(target: Target, size: number): Promise<Transfer> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.request(
      {
        host: '127.0.0.1',
        port: target.port,
        method: 'POST',
        path: '/upload',
        headers: { host: target.host, 'content-type': 'application/octet-stream', ...target.headers },
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => {
          const seconds = (performance.now() - t0) / 1000;
          try {
            const answer = JSON.parse(text) as { bytes: number; sha256: string };
            resolve({ bytes: answer.bytes, seconds, mbps: answer.bytes / 1e6 / seconds, sha256: answer.sha256 });
          } catch {
            reject(new Error(`upload answered ${res.statusCode}: ${text.slice(0, 200)}`));
          }
        });
      },
    );
    req.on('error', reject);
    let sent = 0;
    const pump = () => {
      while (sent < size) {
        const n = Math.min(BENCH_BLOCK.length, size - sent);
        sent += n;
        if (!req.write(n === BENCH_BLOCK.length ? BENCH_BLOCK : BENCH_BLOCK.subarray(0, n))) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

/**
 * Server-sent events, one at a time: the origin writes an event stamped with
 * the monotonic clock, the viewer reads it, notes the delay, and acknowledges
 * (directly to the origin) so the origin writes the next. Returns each delay in ms.
 */
export function eventLatencies(viewer: Target, originPort: number, count: number): Promise<number[]> {
  const ackAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const ack = () =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: originPort, method: 'POST', path: '/ack', agent: ackAgent },
        (res) => {
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end();
    });
  return new Promise((resolve, reject) => {
    const delays: number[] = [];
    const req = http.get(
      { host: '127.0.0.1', port: viewer.port, path: '/events', headers: { host: viewer.host }, agent: false },
      (res) => {
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          buffer += chunk;
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            const stamp = BigInt(/data: (\d+)/.exec(buffer.slice(0, end))?.[1] ?? '0');
            buffer = buffer.slice(end + 2);
            delays.push(Number(process.hrtime.bigint() - stamp) / 1e6);
            if (delays.length >= count) {
              req.destroy();
              ackAgent.destroy();
              resolve(delays);
              return;
            }
            ack().catch(reject);
          }
        });
      },
    );
    req.on('error', (error) => {
      if (delays.length < count) reject(error);
    });
  });
}
