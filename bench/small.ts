/**
 * Small GETs (13-byte answer) through every baseline and through Porthole, at each concurrency of
 * LEVELS: c=1 is sequential requests (latency: p50/p99), the others are closed-loop throughput
 * with the answers other than 2xx and the socket errors counted apart. The load generator runs in
 * a process of its own (load.ts). All targets of one level run back to back, so a level's figures
 * share the same minutes of this shared machine. Also the Porthole port made private, as its owner.
 */
import { fmt, type Named, ratios, write } from './common';
import { type LoadResult, loadInChild, SOURCES, type Target } from './load';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
/** The throughput level (README and PERF compare at 32). */
export const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const LEVELS = (process.env.BENCH_LEVELS ?? `1,${CONCURRENCY},256,1000`).split(',').map(Number);

export interface PrivatePort {
  /** Make the port private; the owner's target (carrying X-Porthole-Token). */
  enter(): Promise<Target>;
  /** Make it public again. */
  leave(): Promise<void>;
}

function line(name: string, r: LoadResult): string {
  const statuses = Object.entries(r.statuses).map(([status, n]) => `${status}×${fmt(n)}`);
  const non2xx = `non-2xx ${fmt(r.non2xx)}${statuses.length ? ` (${statuses.join(', ')})` : ''}`;
  const socket = `socket errors ${fmt(r.socketErrors)}${r.timeouts ? ` (${fmt(r.timeouts)} timeouts)` : ''}`;
  const open = r.concurrency > 1 ? `   all open after ${fmt(r.openSeconds, 1)} s` : '';
  return `  ${name.padEnd(26)} ${fmt(r.rps).padStart(7)} req/s   p50 ${fmt(r.p50, 2).padStart(6)} ms   p99 ${fmt(r.p99, 2).padStart(7)} ms   ${non2xx}   ${socket}${open}\n`;
}

/** Baselines first (in ratio order), Porthole last. */
export async function smallSection(
  script: string,
  baselines: Named[],
  porthole: Named,
  owner: PrivatePort,
): Promise<void> {
  write(
    `Small GETs (13-byte answer), ${SECONDS} s per run after a warm-up that opens the connections; ` +
      `load generator in its own process, ${SOURCES === 1 ? 'one source address (one viewer)' : `${SOURCES} source addresses`}; errors counted over the whole run:\n`,
  );
  for (const c of LEVELS) {
    const warmup = c > 64 ? 2 : 1;
    write(c === 1 ? `c=1 (sequential: latency)\n` : `c=${c}\n`);
    const results: LoadResult[] = [];
    for (const { name, target } of baselines) {
      const r = await loadInChild(script, target, c, SECONDS, warmup);
      results.push(r);
      write(line(name, r));
    }
    const mine = await loadInChild(script, porthole.target, c, SECONDS, warmup);
    write(line(porthole.name, mine));
    const bases = (pick: (r: LoadResult) => number) =>
      baselines.map(({ name }, i) => ({ name, value: pick(results[i] as LoadResult) }));
    if (c === 1) {
      write(
        `    p50 = ${ratios(
          mine.p50,
          bases((r) => r.p50),
          true,
        )}\n`,
      );
      write(
        `    p99 = ${ratios(
          mine.p99,
          bases((r) => r.p99),
          true,
        )}\n`,
      );
    } else {
      write(
        `    req/s = ${ratios(
          mine.rps,
          bases((r) => r.rps),
        )}\n`,
      );
    }
    if (c === CONCURRENCY) {
      const privateTarget = await owner.enter();
      const d = await loadInChild(script, privateTarget, c, SECONDS, warmup);
      await owner.leave();
      write(line('Porthole, private (owner)', d));
      write(
        `    req/s = ${fmt((100 * d.rps) / mine.rps, 0)} % of the public port · ${ratios(
          d.rps,
          bases((r) => r.rps),
        )}\n`,
      );
    }
  }
  write('\n');
}
