/**
 * npm run bench — Porthole against its baselines, measured in one run:
 *   small GETs at concurrency 32: (a) direct to the origin, (b) through a bare
 *   pass-through Worker in the same runtime (workerd's own ceiling), (c) through Porthole
 *   to a public port, (d) to a private port as its owner (X-Porthole-Token);
 *   a 1 GiB download direct and through Porthole; peak RSS of client and gateway;
 *   abandoned streams and per-viewer fairness (streams.ts; `node dist/bench.js streams` alone).
 * Every figure is printed next to its baseline; nothing here asserts a target.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Miniflare } from 'miniflare';
import { COMPATIBILITY_DATE, LOCAL_PREVIEW_DOMAIN, startGateway } from '../client/dev/gateway';
import { createSession } from '../client/dev/session';
import { callJson } from '../client/control/client';
import type { ApiOwnerToken } from '../protocol';
import { cpuMs, measureDetection } from './detect';
import { type LoadResult, load, type Target } from './load';
import { download, eventLatencies, patternHash, upload } from './transfer';
import { STABLE_AFTER_MS } from '../client/tunnel/supervisor';
import { measureRecovery, RECOVERY_TRIALS } from './recovery';
import { runOrigin } from './origin';
import { descendantsNamed, peakRssMiB } from './procs';
import { webSocketSection } from './ws';
import { measureUnread, runUnreadAlone, UNREAD_TITLE, unreadReport } from './unread';
import { measureStreams, streamsReport } from './streams';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const BULK_BYTES = Number(process.env.BENCH_BULK_MIB ?? 1024) * 1024 * 1024;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const DETECT_TRIALS = Number(process.env.BENCH_DETECT_TRIALS ?? 25);
const DETECT_RANGE: [number, number] = [20100, 20199];
const IDLE_SECONDS = 10;
const EVENTS = Number(process.env.BENCH_EVENTS ?? 200);
const WS_BYTES = Number(process.env.BENCH_WS_MIB ?? 1024) * 1024 * 1024;
/** `node dist/bench.js ws`: only the WebSocket section (bench/ws.ts), after the same set-up. */
const ONLY_WEBSOCKETS = process.argv[2] === 'ws';
const here = fileURLToPath(import.meta.url);
const dist = fileURLToPath(new URL('.', import.meta.url));

/** Spawn a child and resolve with the first stdout line matching `match`. */
async function spawnUntil(
  args: string[],
  match: (line: string) => unknown,
  timeoutMs = 30_000,
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; value: unknown; lines: ReturnType<typeof createInterface> }> {
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const lines = createInterface({ input: child.stdout! });
  const value = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out starting ${args.join(' ')}`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
    lines.on('line', (line) => {
      const found = match(line);
      if (found !== undefined) {
        clearTimeout(timer);
        resolve(found);
      }
    });
  });
  return { child, value, lines };
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';
}

function row(name: string, r: LoadResult, base?: LoadResult): string {
  const ratio = base ? `${fmt((100 * r.rps) / base.rps, 1)} %` : '';
  return `  ${name.padEnd(34)} ${fmt(r.rps).padStart(8)} req/s   p50 ${fmt(r.p50, 2).padStart(6)} ms   p99 ${fmt(r.p99, 2).padStart(6)} ms   errors ${r.errors}   ${ratio}`;
}

async function main(): Promise<void> {
  if (process.argv[2] === 'origin') return runOrigin();
  if (process.argv[2] === 'unread') return runUnreadAlone(`${dist}gateway.js`);
  if (process.argv[2] === 'streams') {
    process.stdout.write(streamsReport(await measureStreams(`${dist}gateway.js`), fmt));
    return;
  }

  process.stdout.write(
    `Porthole benchmark — node ${process.version}, concurrency ${CONCURRENCY}, ${SECONDS} s per run (+1 s warm-up)\n`,
  );
  process.stdout.write(
    'Load generator, origin, client and workerd share this machine; figures are relative to baselines from this same run.\n\n',
  );

  const origin = await spawnUntil([here, 'origin'], (line) => (JSON.parse(line) as { port: number }).port);
  const originPort = origin.value as number;

  const secrets = {
    ADMIN_TOKEN: randomBytes(24).toString('base64url'),
    LABEL_KEY: randomBytes(32).toString('base64url'),
    TOKEN_SECRET: randomBytes(32).toString('base64url'),
  };
  const before = new Set(descendantsNamed(process.pid, 'workerd'));
  const gateway = await startGateway({ script: `${dist}gateway.js`, secrets });
  const gatewayPids = descendantsNamed(process.pid, 'workerd').filter((p) => !before.has(p));

  // The runtime's own ceiling: a Worker that only fetches the origin.
  const bare = new Miniflare({
    modules: true,
    script: `export default { fetch(request, env) {
      const url = new URL(request.url);
      return fetch(env.ORIGIN + url.pathname + url.search);
    } };`,
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { ORIGIN: `http://127.0.0.1:${originPort}` },
    host: '127.0.0.1',
    port: 0,
    cf: false,
  });
  const barePort = Number((await bare.ready).port);

  const session = await createSession(gateway.url, secrets.ADMIN_TOKEN);
  // In a private folder of its own: the client refuses a control socket directly in the shared tmpdir.
  const control = join(mkdtempSync(join(tmpdir(), 'porthole-bench-')), 'control.sock');
  const client = await spawnUntil(
    [
      `${dist}cli.js`,
      'connect',
      '--gateway',
      gateway.url,
      '--port',
      String(originPort),
      // Port detection is measured on this range; other ports of the machine stay out.
      '--only',
      `${DETECT_RANGE[0]}-${DETECT_RANGE[1]}`,
      // Detection trials open new ports: public, so the probe needs no credential.
      '--default-visibility',
      'public',
      '--control',
      control,
      '--json',
    ],
    (line) => {
      const event = JSON.parse(line) as { event: string; url?: string; port?: number };
      return event.event === 'port.open' && event.port === originPort ? event.url : undefined;
    },
    30_000,
    // The token goes through the environment: in argv every local user could read it (and the CLI warns).
    { PORTHOLE_TOKEN: session.token },
  );
  const portUrl = new URL(client.value as string);
  const webSockets = () =>
    webSocketSection({
      originPort,
      gatewayPort: gateway.port,
      previewHost: portUrl.host,
      gatewayPids,
      bytes: WS_BYTES,
    });
  if (ONLY_WEBSOCKETS) {
    await webSockets();
    client.child.kill();
    origin.child.kill();
    await bare.dispose();
    await gateway.stop();
    return;
  }

  const direct: Target = { port: originPort, host: `127.0.0.1:${originPort}`, path: '/small' };
  const viaBare: Target = { port: barePort, host: `127.0.0.1:${barePort}`, path: '/small' };
  const viaPorthole: Target = { port: gateway.port, host: portUrl.host, path: '/small' };

  process.stdout.write(`Small GETs (13-byte body), concurrency ${CONCURRENCY}:\n`);
  const a = await load(direct, CONCURRENCY, SECONDS);
  process.stdout.write(`${row('(a) direct to origin', a)}\n`);
  const b = await load(viaBare, CONCURRENCY, SECONDS);
  process.stdout.write(`${row('(b) bare pass-through Worker', b, a)}\n`);
  const c = await load(viaPorthole, CONCURRENCY, SECONDS);
  process.stdout.write(`${row('(c) Porthole (Worker→DO→tunnel)', c, a)}\n`);
  // The same port made private: every request now shows an owner token (checked by the Session object).
  await callJson(control, 'PATCH', `/v1/ports/${originPort}`, { visibility: 'private' });
  const owner = await callJson<ApiOwnerToken>(control, 'POST', '/v1/token', {});
  const d0 = await load({ ...viaPorthole, headers: { 'x-porthole-token': owner.token } }, CONCURRENCY, SECONDS);
  process.stdout.write(`${row('(d) Porthole, private port, owner', d0, a)}\n`);
  await callJson(control, 'PATCH', `/v1/ports/${originPort}`, { visibility: 'public' });
  process.stdout.write(`  Porthole / bare Worker: ${fmt((100 * c.rps) / b.rps, 1)} % (target ≥ 50 %)\n`);
  process.stdout.write(`  private (owner token) / public: ${fmt((100 * d0.rps) / c.rps, 1)} %\n\n`);

  process.stdout.write(`Server-sent events, ${EVENTS} events, each written only after the last was read:\n`);
  const pctOf = (values: number[], p: number) => {
    const sorted = [...values].sort((x, y) => x - y);
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
  };
  const directEvents = await eventLatencies(direct, originPort, EVENTS);
  const portholeEvents = await eventLatencies(viaPorthole, originPort, EVENTS);
  process.stdout.write(
    `  direct to origin                   p50 ${fmt(pctOf(directEvents, 50), 2)} ms   p99 ${fmt(pctOf(directEvents, 99), 2)} ms\n`,
  );
  process.stdout.write(
    `  Porthole                           p50 ${fmt(pctOf(portholeEvents, 50), 2)} ms   p99 ${fmt(pctOf(portholeEvents, 99), 2)} ms (target: p99 < 50 ms)\n\n`,
  );

  const clientRssAfterLoad = peakRssMiB(client.child.pid ?? 0);
  const mib = BULK_BYTES / 1024 / 1024;
  const expected = patternHash(BULK_BYTES);
  const check = (sha256: string) => (sha256 === expected ? 'sha256 ok' : 'SHA256 MISMATCH');
  process.stdout.write(`Bulk transfers, ${fmt(mib)} MiB each way, MB/s = 10^6 bytes/s, sha256 checked:\n`);
  const bulkPath = `/bytes?size=${BULK_BYTES}`;
  const d = await download({ ...direct, path: bulkPath }, BULK_BYTES);
  process.stdout.write(
    `  download, direct to origin         ${fmt(d.mbps).padStart(6)} MB/s (${fmt(d.seconds, 2)} s, ${check(d.sha256)})\n`,
  );
  const p = await download({ ...viaPorthole, path: bulkPath }, BULK_BYTES);
  process.stdout.write(
    `  download, Porthole                 ${fmt(p.mbps).padStart(6)} MB/s (${fmt(p.seconds, 2)} s, ${check(p.sha256)})   ${fmt((100 * p.mbps) / d.mbps, 1)} % of direct (target ≥ 150 MB/s)\n`,
  );
  const u0 = await upload(direct, BULK_BYTES);
  process.stdout.write(
    `  upload, direct to origin           ${fmt(u0.mbps).padStart(6)} MB/s (${fmt(u0.seconds, 2)} s, ${check(u0.sha256)})\n`,
  );
  const u = await upload(viaPorthole, BULK_BYTES);
  process.stdout.write(
    `  upload, Porthole                   ${fmt(u.mbps).padStart(6)} MB/s (${fmt(u.seconds, 2)} s, ${check(u.sha256)})   ${fmt((100 * u.mbps) / u0.mbps, 1)} % of direct\n\n`,
  );

  await webSockets();

  const clientRss = peakRssMiB(client.child.pid ?? 0);
  const gatewayRss = gatewayPids.reduce((sum, pid) => sum + peakRssMiB(pid), 0);
  process.stdout.write('Peak RSS (VmHWM) over the whole run, including the bulk transfers:\n');
  process.stdout.write(
    `  client (porthole connect)          ${fmt(clientRss, 1).padStart(6)} MiB (target < 100 MiB; ${fmt(clientRssAfterLoad, 1)} MiB before the bulk transfers)\n`,
  );
  process.stdout.write(`  gateway (workerd process)          ${fmt(gatewayRss, 1).padStart(6)} MiB\n`);

  process.stdout.write(
    `\nPort detection: listen() in a new process → its URL answers 200 through the gateway, ${DETECT_TRIALS} trials:\n`,
  );
  const closedPorts = new Map<number, () => void>();
  client.lines.on('line', (line) => {
    const event = JSON.parse(line) as { event: string; port?: number };
    if (event.event === 'port.close' && event.port !== undefined) closedPorts.get(event.port)?.();
  });
  const latencies = await measureDetection(
    {
      gatewayPort: gateway.port,
      previewHost: `${LOCAL_PREVIEW_DOMAIN}:${gateway.port}`,
      session: session.session,
      labelKey: secrets.LABEL_KEY,
      closed: (port) => new Promise<void>((resolve) => closedPorts.set(port, resolve)),
    },
    DETECT_RANGE,
    DETECT_TRIALS,
  );
  latencies.sort((x, y) => x - y);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] as number;
  process.stdout.write(
    `  p50 ${fmt(pct(50))} ms   p99 ${fmt(pct(99))} ms   min ${fmt(latencies[0] as number)} ms   max ${fmt(latencies.at(-1) as number)} ms   (targets: p50 ≤ 250 ms, p99 ≤ 600 ms)\n`,
  );
  const cpuBefore = await cpuMs(client.child.pid ?? 0);
  await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
  const cpuAfter = await cpuMs(client.child.pid ?? 0);
  process.stdout.write(
    `  client CPU at rest (watcher, keepalive, no traffic), ${IDLE_SECONDS} s: ${fmt((100 * (cpuAfter - cpuBefore)) / (IDLE_SECONDS * 1000), 2)} % of one core\n`,
  );

  process.stdout.write(
    `\nTunnel cut (socket killed) → next request answered 200, ${RECOVERY_TRIALS} trials each, default backoff:\n`,
  );
  const recovery = await measureRecovery(gateway.url, secrets.ADMIN_TOKEN, gateway.port, originPort);
  const summary = (times: number[]) => {
    const sorted = [...times].sort((x, y) => x - y);
    return `median ${fmt(sorted[Math.floor(sorted.length / 2)] as number)} ms   max ${fmt(sorted.at(-1) as number)} ms`;
  };
  process.stdout.write(
    `  one cut after ${STABLE_AFTER_MS / 1000} s up    ${summary(recovery.isolated)}   (target < 2,000 ms)\n` +
      `  cuts back to back       ${recovery.flapping.map((t) => `${fmt(t)} ms`).join(', ')}   (the backoff grows, by design)\n`,
  );

  process.stdout.write(`\n${UNREAD_TITLE}\n`);
  process.stdout.write(unreadReport(await measureUnread(gateway.url, secrets.ADMIN_TOKEN, gatewayPids)));
  process.stdout.write('\n');
  process.stdout.write(streamsReport(await measureStreams(`${dist}gateway.js`), fmt));

  client.child.kill();
  origin.child.kill();
  await bare.dispose();
  await gateway.stop();
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
