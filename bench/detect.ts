/**
 * From listen() in a fresh process to its URL answering 200 through the
 * gateway: the time a developer waits after starting a server.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { createServer } from 'node:net';
import { base32 } from '../gateway/routing/base32';

const CHILD = `
const port = Number(process.argv[1]);
require('http').createServer((q, r) => r.end('ok')).listen(port, '127.0.0.1', () => {
  process.stdout.write(String(performance.timeOrigin + performance.now()) + '\\n');
});`;

export interface DetectionSetup {
  gatewayPort: number;
  /** The preview domain with the gateway's port, e.g. localhost:8787 (port hosts go under it). */
  previewHost: string;
  session: string;
  labelKey: string;
  /** Resolves when the client reports the port closed. */
  closed(port: number): Promise<void>;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/** The port's public host in the default (session) shape, signed as the gateway signs it (the benchmark owns the key). */
function portHost(setup: DetectionSetup, port: number): string {
  const sig = base32(createHmac('sha256', setup.labelKey).update(`v1:${setup.session}:${port}`).digest()).slice(0, 16);
  return `${port}-${sig}.${setup.session}.${setup.previewHost}`;
}

function status(setup: DetectionSetup, host: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(
      { host: '127.0.0.1', port: setup.gatewayPort, path: '/', headers: { host }, agent: false },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', () => resolve(0));
  });
}

function startChild(port: number): Promise<{ child: ChildProcess; listenedAt: number }> {
  const child = spawn(process.execPath, ['-e', CHILD, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (data: Buffer) => resolve({ child, listenedAt: Number(data.toString()) }));
    child.once('exit', (code) => reject(new Error(`child server exited with ${code}`)));
  });
}

/** `trials` servers, one after another, on ports from `range`; latency in ms for each. */
export async function measureDetection(
  setup: DetectionSetup,
  range: [number, number],
  trials: number,
): Promise<number[]> {
  const latencies: number[] = [];
  let port = range[0];
  for (let trial = 0; trial < trials; trial++) {
    while (!(await portFree(port))) port++;
    if (port > range[1]) throw new Error('no free port left in the benchmark range');
    const host = portHost(setup, port);
    const { child, listenedAt } = await startChild(port);
    const deadline = Date.now() + 5000;
    let answeredAt = 0;
    while (Date.now() < deadline) {
      if ((await status(setup, host)) === 200) {
        answeredAt = performance.timeOrigin + performance.now();
        break;
      }
    }
    const closed = setup.closed(port);
    child.kill('SIGKILL');
    await closed;
    if (!answeredAt) throw new Error(`port ${port} never answered through the gateway`);
    latencies.push(answeredAt - listenedAt);
    port++;
  }
  return latencies;
}

/** CPU time of a process (user + system) in ms, from /proc/<pid>/stat. */
export async function cpuMs(pid: number): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat, 12 and 13 after the command; in clock ticks (100/s).
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
