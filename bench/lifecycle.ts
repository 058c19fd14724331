/**
 * The client's life, after the load: peak RSS of client and gateway over the whole run; from
 * listen() in a new process to its URL answering 200; the client's CPU at rest; and recovery
 * after the tunnel socket is cut.
 */
import type { Interface } from 'node:readline';
import { LOCAL_PREVIEW_DOMAIN } from '../client/dev/gateway';
import { STABLE_AFTER_MS } from '../client/tunnel/supervisor';
import { fmt, percentile, write } from './common';
import { cpuMs, measureDetection } from './detect';
import { peakRssMiB } from './procs';
import { measureRecovery, RECOVERY_TRIALS } from './recovery';

const DETECT_TRIALS = Number(process.env.BENCH_DETECT_TRIALS ?? 25);
/** Port detection is measured on this range (the client is started with --only on it). */
export const DETECT_RANGE: [number, number] = [20100, 20199];
const IDLE_SECONDS = 10;

export interface LifecycleSetup {
  clientPid: number;
  /** The client's --json event lines. */
  clientLines: Interface;
  /** Peak RSS of the client before the bulk transfers, in MiB. */
  clientRssBeforeBulk: number;
  gatewayPids: number[];
  gatewayUrl: string;
  gatewayPort: number;
  adminToken: string;
  labelKey: string;
  session: string;
  originPort: number;
}

export async function lifecycleSection(s: LifecycleSetup): Promise<void> {
  const clientRss = peakRssMiB(s.clientPid);
  const gatewayRss = s.gatewayPids.reduce((sum, pid) => sum + peakRssMiB(pid), 0);
  write('Peak RSS (VmHWM) over the whole run, including the bulk transfers:\n');
  write(
    `  client (porthole connect)  ${fmt(clientRss, 1).padStart(6)} MiB (target < 100 MiB; ${fmt(s.clientRssBeforeBulk, 1)} MiB before the bulk transfers)\n`,
  );
  write(`  gateway (workerd process)  ${fmt(gatewayRss, 1).padStart(6)} MiB\n`);

  write(
    `\nPort detection: listen() in a new process → its URL answers 200 through the gateway, ${DETECT_TRIALS} trials:\n`,
  );
  const closedPorts = new Map<number, () => void>();
  s.clientLines.on('line', (line) => {
    const event = JSON.parse(line) as { event: string; port?: number };
    if (event.event === 'port.close' && event.port !== undefined) closedPorts.get(event.port)?.();
  });
  const latencies = await measureDetection(
    {
      gatewayPort: s.gatewayPort,
      previewHost: `${LOCAL_PREVIEW_DOMAIN}:${s.gatewayPort}`,
      session: s.session,
      labelKey: s.labelKey,
      closed: (port) => new Promise<void>((resolve) => closedPorts.set(port, resolve)),
    },
    DETECT_RANGE,
    DETECT_TRIALS,
  );
  write(
    `  p50 ${fmt(percentile(latencies, 50))} ms   p99 ${fmt(percentile(latencies, 99))} ms   min ${fmt(Math.min(...latencies))} ms   max ${fmt(Math.max(...latencies))} ms   (targets: p50 ≤ 250 ms, p99 ≤ 600 ms)\n`,
  );
  const cpuBefore = await cpuMs(s.clientPid);
  await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
  const cpuAfter = await cpuMs(s.clientPid);
  write(
    `  client CPU at rest (watcher, keepalive, no traffic), ${IDLE_SECONDS} s: ${fmt((100 * (cpuAfter - cpuBefore)) / (IDLE_SECONDS * 1000), 2)} % of one core\n`,
  );

  write(`\nTunnel cut (socket killed) → next request answered 200, ${RECOVERY_TRIALS} trials each, default backoff:\n`);
  const recovery = await measureRecovery(s.gatewayUrl, s.adminToken, s.gatewayPort, s.originPort);
  const summary = (times: number[]) => `median ${fmt(percentile(times, 50))} ms   max ${fmt(Math.max(...times))} ms`;
  write(
    `  one cut after ${STABLE_AFTER_MS / 1000} s up    ${summary(recovery.isolated)}   (target < 2,000 ms)\n` +
      `  cuts back to back       ${recovery.flapping.map((t) => `${fmt(t)} ms`).join(', ')}   (the backoff grows, by design)\n`,
  );
}
