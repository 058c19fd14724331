/**
 * What the request log costs on small GETs (issue 17's target: under 5 % of throughput). A second
 * session's client runs with `--request-log 0` beside the bench's client (log on, its defaults),
 * both serving the same origin port through the same gateway; c=32 loads alternate between
 * the two, ROUNDS pairs, and the ratio of the medians is printed with each pair's figures, so
 * the noise of this shared machine shows beside the figure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSession } from '../client/dev/session';
import { fmt, percentile, spawnUntil, write } from './common';
import { loadInChild, type Target } from './load';
import { CONCURRENCY } from './small';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
/** Alternating (log on, log off) pairs. */
const ROUNDS = Number(process.env.BENCH_LOG_ROUNDS ?? 4);

export interface RequestLogSetup {
  /** dist/bench.js (runs the load children). */
  script: string;
  /** dist/cli.js. */
  cli: string;
  gatewayUrl: string;
  adminToken: string;
  originPort: number;
  /** The bench client's public target for the origin port (its request log on, defaults). */
  logOn: Target;
}

/** Start the log-off client, alternate the loads, print the section; the second client is stopped. */
export async function requestLogSection(s: RequestLogSetup): Promise<void> {
  const session = await createSession(s.gatewayUrl, s.adminToken);
  const folder = mkdtempSync(join(tmpdir(), 'porthole-bench-log-'));
  const client = await spawnUntil(
    [
      s.cli,
      'connect',
      '--gateway',
      s.gatewayUrl,
      '--port',
      String(s.originPort),
      '--no-watch',
      '--default-visibility',
      'public',
      '--request-log',
      '0',
      '--control',
      join(folder, 'control.sock'),
      '--json',
    ],
    (line) => {
      const event = JSON.parse(line) as { event: string; url?: string; port?: number };
      return event.event === 'port.open' && event.port === s.originPort ? event.url : undefined;
    },
    30_000,
    { PORTHOLE_TOKEN: session.token },
  );
  try {
    const url = new URL(client.value as string);
    const logOff: Target = { ...s.logOn, host: url.host };
    const on: number[] = [];
    const off: number[] = [];
    write(
      `Request log cost: small GETs c=${CONCURRENCY}, ${SECONDS} s each, ${ROUNDS} alternating pairs; ` +
        "the bench client (log on: 1000 requests, 64 KiB per body) against a second session's client with --request-log 0, same gateway and origin:\n",
    );
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which goes first, so a drift of the machine does not favour one.
      const order = round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const);
      const figures: Record<string, number> = {};
      for (const which of order) {
        const r = await loadInChild(s.script, which === 'on' ? s.logOn : logOff, CONCURRENCY, SECONDS, 1);
        figures[which] = r.rps;
        (which === 'on' ? on : off).push(r.rps);
      }
      write(`  pair ${round + 1}: log on ${fmt(figures.on ?? 0)} req/s · log off ${fmt(figures.off ?? 0)} req/s\n`);
    }
    const medianOn = percentile(on, 50);
    const medianOff = percentile(off, 50);
    const cost = 100 * (1 - medianOn / medianOff);
    write(
      `    median: log on ${fmt(medianOn)} req/s = ${fmt((100 * medianOn) / medianOff, 1)} % of log off ` +
        `(cost ${fmt(cost, 1)} %; target < 5 %)\n\n`,
    );
  } finally {
    client.child.kill();
    rmSync(folder, { recursive: true, force: true });
  }
}
