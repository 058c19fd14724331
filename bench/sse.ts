/** Server-sent events section: one event at a time, write → read delay, direct and through Porthole. */
import { fmt, percentile, ratios, write } from './common';
import type { Target } from './load';
import { eventLatencies } from './transfer';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 200);

export async function sseSection(direct: Target, porthole: Target, originPort: number): Promise<void> {
  write(`Server-sent events, ${EVENTS} events, each written only after the last was read:\n`);
  const base = await eventLatencies(direct, originPort, EVENTS);
  const mine = await eventLatencies(porthole, originPort, EVENTS);
  const show = (name: string, values: number[]) =>
    write(`  ${name.padEnd(26)} p50 ${fmt(percentile(values, 50), 2)} ms   p99 ${fmt(percentile(values, 99), 2)} ms\n`);
  show('direct', base);
  show('Porthole', mine);
  for (const p of [50, 99]) {
    write(`    p${p} = ${ratios(percentile(mine, p), [{ name: 'direct', value: percentile(base, p) }], true)}\n`);
  }
  write('    (target: p99 < 50 ms)\n\n');
}
