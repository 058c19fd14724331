/**
 * `node dist/bench.js tcp` — raw TCP forwarding (docs/tcp-forwarding.md) against a local gateway of
 * its own: a probe process (tcp-probe.ts) → the real `porthole forward` (dist/cli.js, a child) →
 * the gateway (the front in this process, workerd) → the real `porthole connect` (a child) → the
 * origins (tcp-origin.ts, a child), every figure beside the same probe straight to the same origin
 * on loopback (direct). Round trips (1 byte, one connection), connection setup (connect + first
 * echo), throughput each way and both at once through an echo, each process's CPU time during the
 * forwarded transfers, and peak RSS. Every step is bounded; a failed measurement is reported.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from '../client/dev/gateway';
import { createSession } from '../client/dev/session';
import { requestJson } from '../client/net/http';
import type { ApiOwnerToken } from '../protocol';
import { childJson, fmt, percentile, spawnUntil, write } from './common';
import { descendantsNamed, peakRssMiB } from './procs';
import type { ProbeJob, ProbeResult } from './tcp-probe';

const MiB = 1024 * 1024;
const BYTES = Number(process.env.BENCH_TCP_MIB ?? 256) * MiB;
const ROUNDS = 2000;
const WARMUP = 200;
const SETUP_TRIALS = 30;
/** BENCH_TCP_PROFILE=<dir>: `porthole connect` and each `porthole forward` write a V8 CPU profile there at exit. */
const profile = process.env.BENCH_TCP_PROFILE ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_TCP_PROFILE] : [];
/** Bound of each probe process, ms. */
const PROBE_BOUND = 120_000;

type Ports = { echo: number; sink: number; source: number };

/** utime + stime of a process, seconds (clock ticks of 1/100 s, Linux's USER_HZ); NaN if unreadable. */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** `trials` GETs of `url` (the forward check), each on a fresh connection to 127.0.0.1:`port`: ms each. */
async function checkTimes(port: number, url: URL, token: string, trials: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < trials; i++) {
    const start = performance.now();
    await new Promise<void>((resolve, reject) => {
      const headers = { host: url.host, authorization: `Bearer ${token}` };
      http
        .get({ host: '127.0.0.1', port, path: url.pathname, headers, agent: false, timeout: 15_000 }, (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`check: ${res.statusCode}`))));
        })
        .on('error', reject);
    });
    times.push(performance.now() - start);
  }
  return times;
}

/** A stdout line of a child as a JSON object; undefined when it is not one. */
function json(line: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const row = (name: string, forwarded: string, direct: string, ratio: string) =>
  write(`  ${name.padEnd(46)}${forwarded.padStart(14)}${direct.padStart(14)}   ${ratio}\n`);

export async function tcpSection(script: string, gatewayScript: string, cli: string): Promise<void> {
  const probe = async (job: ProbeJob): Promise<ProbeResult | null> => {
    try {
      return await childJson<ProbeResult>(script, ['tcp-probe', JSON.stringify(job)], PROBE_BOUND);
    } catch (error) {
      write(`    ${job.kind} to port ${job.port} failed: ${(error as Error).message}\n`);
      return null;
    }
  };
  const folder = mkdtempSync(join(tmpdir(), 'porthole-bench-tcp-'));
  const env = { XDG_STATE_HOME: join(folder, 'state') };
  const secrets = {
    ADMIN_TOKEN: randomBytes(24).toString('base64url'),
    LABEL_KEY: randomBytes(32).toString('base64url'),
    TOKEN_SECRET: randomBytes(32).toString('base64url'),
  };
  const before = new Set(descendantsNamed(process.pid, 'workerd'));
  const gateway = await startGateway({ script: gatewayScript, secrets });
  const workerd = descendantsNamed(process.pid, 'workerd').filter((p) => !before.has(p));
  const children: { kill(): boolean }[] = [];
  try {
    const origin = await spawnUntil([script, 'tcp-origin'], (line) => json(line) as Ports | undefined);
    children.push(origin.child);
    const ports = origin.value as Ports;
    const session = await createSession(gateway.url, secrets.ADMIN_TOKEN);
    const announced = new Set<number>();
    const client = await spawnUntil(
      [
        ...profile,
        cli,
        'connect',
        '--gateway',
        gateway.url,
        '--no-watch',
        '--control',
        join(folder, 'control.sock'),
        '--json',
      ].concat(...Object.values(ports).map((p) => ['--port', String(p)])),
      (line) => {
        const event = json(line);
        if (event?.event === 'port.open' && typeof event.port === 'number') announced.add(event.port);
        return announced.size === 3 ? true : undefined;
      },
      30_000,
      { ...env, PORTHOLE_TOKEN: session.token },
    );
    children.push(client.child);
    const owner = await requestJson<ApiOwnerToken>({
      method: 'POST',
      url: new URL(`/api/sessions/${session.session}/owner-token`, gateway.url),
      token: session.token,
      body: {},
      timeoutMs: 15_000,
    });
    const forwards = {} as Record<keyof Ports, { port: number; pid: number }>;
    for (const name of Object.keys(ports) as (keyof Ports)[]) {
      const started = await spawnUntil(
        [...profile, cli, 'forward', `${ports[name]}:0`, '--gateway', gateway.url, '--json'],
        (line) => {
          const event = json(line);
          return event?.event === 'forwarding' ? Number(String(event.local).split(':')[1]) : undefined;
        },
        30_000,
        { ...env, PORTHOLE_OWNER_TOKEN: owner.token },
      );
      children.push(started.child);
      forwards[name] = { port: started.value as number, pid: started.child.pid ?? 0 };
    }

    const mib = fmt(BYTES / MiB);
    write(
      `\nRaw TCP forwarding (porthole forward → front → workerd → tunnel → porthole connect → origin), its own ` +
        `local gateway; a probe process against an origin process, beside the same probe straight to the origin ` +
        `(direct). Round trips: ${fmt(ROUNDS)} 1-byte ping-pongs on one connection after ${WARMUP} unmeasured; ` +
        `new connections: ${SETUP_TRIALS}, connect + 1 byte + its echo, one after another; transfers: ` +
        `${mib} MiB, MB/s = 10^6 bytes/s:\n`,
    );
    row('', 'forwarded', 'direct', 'ratio');
    const timesOf = (r: ProbeResult | null) => (r && 'times' in r ? r.times : []);
    const latency = async (name: string, job: (port: number) => ProbeJob, points: number[]) => {
      const direct = timesOf(await probe(job(ports.echo)));
      const forwarded = timesOf(await probe(job(forwards.echo.port)));
      for (const p of points) {
        const [f, d] = [percentile(forwarded, p), percentile(direct, p)];
        row(`${name} p${p}, ms`, fmt(f, 3), fmt(d, 3), `${fmt(f / d, 1)}× direct`);
      }
    };
    await latency('round trip', (port) => ({ kind: 'rtt', port, rounds: ROUNDS, warmup: WARMUP }), [50, 90, 99]);
    await latency('new connection', (port) => ({ kind: 'setup', port, trials: SETUP_TRIALS }), [50, 90]);
    // Part of a new connection's time: the Worker and the Session object, without the tunnel.
    const check = new URL(`/api/sessions/${session.session}/tcp/${ports.echo}`, gateway.url);
    const checks = await checkTimes(gateway.port, check, owner.token, SETUP_TRIALS);
    row(
      '  beside: the check GET …/tcp/<port> p50, ms',
      fmt(percentile(checks, 50), 3),
      '',
      '(Worker → Session, no tunnel)',
    );

    // CPU seconds of each process on the path (the front runs in this process, with Miniflare's host).
    const cpu = (name: keyof Ports) => {
      const own = process.cpuUsage();
      return [
        workerd.reduce((sum, pid) => sum + cpuSeconds(pid), 0),
        cpuSeconds(client.child.pid ?? 0),
        cpuSeconds(forwards[name].pid),
        (own.user + own.system) / 1e6,
      ];
    };
    const cpuNotes: string[] = [];
    const mbps = (r: ProbeResult | null) => (r && 'ms' in r ? r.bytes / 1e6 / (r.ms / 1000) : Number.NaN);
    const throughput = async (label: string, kind: 'upload' | 'download' | 'echo', name: keyof Ports) => {
      const direct = mbps(await probe({ kind, port: ports[name], bytes: BYTES }));
      const start = cpu(name);
      const forwarded = mbps(await probe({ kind, port: forwards[name].port, bytes: BYTES }));
      const used = cpu(name).map((v, i) => v - (start[i] as number));
      const labels = ['workerd', 'porthole connect', 'porthole forward', 'front'];
      cpuNotes.push(`${kind}: ${used.map((s, i) => `${labels[i]} ${fmt(s, 1)} s`).join(' · ')}`);
      row(`${label}, MB/s`, fmt(forwarded), fmt(direct), `${fmt((100 * forwarded) / direct)} % of direct`);
    };
    await throughput(`upload, owner → origin`, 'upload', 'sink');
    await throughput(`download, origin → owner`, 'download', 'source');
    await throughput(`echo, both ways at once (each way)`, 'echo', 'echo');
    write(`  CPU time during each forwarded transfer:\n${cpuNotes.map((n) => `    ${n}\n`).join('')}`);
    const rss = (pid: number) => `${fmt(peakRssMiB(pid))} MiB`;
    write(
      `  Peak RSS: workerd ${workerd.map(rss).join(' + ')}, porthole connect ${rss(client.child.pid ?? 0)}, ` +
        `porthole forward ${Object.values(forwards)
          .map((f) => rss(f.pid))
          .join(' / ')} (echo / sink / source)\n`,
    );
  } finally {
    for (const child of children) child.kill();
    await gateway.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}
