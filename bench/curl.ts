/**
 * Bulk transfers with curl (/usr/bin/curl), as a user measures them: `curl -o /dev/null` for a
 * download, `curl -T file -X POST` for an upload (the origin or the baseline object answers the
 * body's length and sha256). `Expect:` is sent empty on every path alike, so no run waits out
 * curl's 1 s 100-continue delay where a server does not answer it. Bounded by --max-time.
 */
import { execFile } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { Target } from './load';
import { BENCH_BLOCK } from './origin';
import type { Transfer } from './transfer';

export const CURL = process.env.BENCH_CURL ?? '/usr/bin/curl';

function run(args: string[], seconds: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(CURL, ['-sS', '--max-time', String(seconds), ...args], { maxBuffer: 1 << 20 }, (error, stdout, stderr) =>
      error ? reject(new Error(`curl: ${stderr.trim() || error.message}`)) : resolve(stdout),
    );
  });
}

/** Write `size` bytes of the origin's pattern to `path` (what /bytes sends; patternHash knows its sha256). */
export async function writePatternFile(path: string, size: number): Promise<void> {
  const out = createWriteStream(path);
  for (let left = size; left > 0; left -= BENCH_BLOCK.length) {
    if (!out.write(left >= BENCH_BLOCK.length ? BENCH_BLOCK : BENCH_BLOCK.subarray(0, left))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

const url = (target: Target, path: string) => `http://127.0.0.1:${target.port}${path}`;

/** `curl -o /dev/null` of `/bytes?size=N`: throughput from curl's own byte count and time. */
export async function curlDownload(target: Target, size: number, seconds: number): Promise<Transfer> {
  const out = await run(
    [
      '-o',
      '/dev/null',
      '-w',
      '%{http_code} %{size_download} %{time_total}',
      '-H',
      `Host: ${target.host}`,
      url(target, `/bytes?size=${size}`),
    ],
    seconds,
  );
  const [status, bytes, time] = out.trim().split(' ').map(Number) as [number, number, number];
  if (status !== 200 || bytes !== size) throw new Error(`curl download: status ${status}, ${bytes} of ${size} bytes`);
  return { bytes, seconds: time, mbps: bytes / 1e6 / time, sha256: '' };
}

/** `curl -T file -X POST` to /upload; the answer carries the length and sha256 the server saw. */
export async function curlUpload(target: Target, file: string, seconds: number): Promise<Transfer> {
  const out = await run(
    [
      '-T',
      file,
      '-X',
      'POST',
      '-H',
      'Expect:',
      '-H',
      'content-type: application/octet-stream',
      '-H',
      `Host: ${target.host}`,
      ...Object.entries(target.headers ?? {}).flatMap(([k, v]) => ['-H', `${k}: ${v}`]),
      '-w',
      '\n%{http_code} %{time_total}',
      url(target, '/upload'),
    ],
    seconds,
  );
  const lines = out.trim().split('\n');
  const [status, time] = (lines.at(-1) ?? '').split(' ').map(Number) as [number, number];
  try {
    const answer = JSON.parse(lines.slice(0, -1).join('\n')) as { bytes: number; sha256: string };
    if (status !== 200) throw new Error();
    return { bytes: answer.bytes, seconds: time, mbps: answer.bytes / 1e6 / time, sha256: answer.sha256 };
  } catch {
    throw new Error(`curl upload answered ${status}: ${out.slice(0, 200)}`);
  }
}
