/**
 * Bulk section: BULK_BYTES (default 1 GiB) down and up through every baseline and through
 * Porthole, each with two clients: a Node http client in a process of its own (sha256 checked
 * both ways) and curl (curl.ts; the upload's sha256 checked by the server's answer). Every
 * transfer is bounded (BENCH_BULK_TIMEOUT seconds); one that fails is reported, not fatal.
 * `node dist/bench.js transfer <json>` is the Node client's process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childJson, fmt, type Named, ratios, write } from './common';
import { curlDownload, curlUpload, writePatternFile } from './curl';
import type { Target } from './load';
import { download, patternHash, type Transfer, upload } from './transfer';

export const BULK_BYTES = Number(process.env.BENCH_BULK_MIB ?? 1024) * 1024 * 1024;
const TIMEOUT_S = Number(process.env.BENCH_BULK_TIMEOUT ?? 120);

interface TransferJob {
  kind: 'download' | 'upload';
  target: Target;
  bytes: number;
}

/** `node dist/bench.js transfer <json>`: one Node-client transfer, its result as JSON. */
export async function runTransferChild(job: string): Promise<void> {
  const { kind, target, bytes } = JSON.parse(job) as TransferJob;
  const result =
    kind === 'download'
      ? await download({ ...target, path: `/bytes?size=${bytes}` }, bytes)
      : await upload(target, bytes);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

type Column = 'down node' | 'down curl' | 'up node' | 'up curl';
const COLUMNS: Column[] = ['down node', 'down curl', 'up node', 'up curl'];
type Outcome = Transfer | { error: string };

function cell(outcome: Outcome, expected: string): string {
  if ('error' in outcome) return 'failed'.padStart(15);
  const bad = outcome.sha256 !== '' && outcome.sha256 !== expected;
  return `${fmt(outcome.mbps)}${bad ? ' SHA!' : ''}`.padStart(15);
}

/** Baselines first (in ratio order), Porthole last. */
export async function bulkSection(script: string, baselines: Named[], porthole: Named): Promise<void> {
  const mib = BULK_BYTES / 1024 / 1024;
  const expected = patternHash(BULK_BYTES);
  const folder = mkdtempSync(join(tmpdir(), 'porthole-bench-bulk-'));
  const file = join(folder, 'upload.bin');
  await writePatternFile(file, BULK_BYTES);
  write(
    `Bulk transfers, ${fmt(mib)} MiB each, MB/s (10^6 bytes/s); node = a Node http client in its own process ` +
      `(sha256 checked), curl = curl -o /dev/null and curl -T file -X POST (upload sha256 checked); ` +
      `each bounded to ${TIMEOUT_S} s:\n`,
  );
  write(`  ${''.padEnd(26)}${COLUMNS.map((c) => c.padStart(15)).join('')}\n`);
  const results = new Map<string, Record<Column, Outcome>>();
  const attempt = async (run: () => Promise<Transfer>): Promise<Outcome> => {
    try {
      return await run();
    } catch (error) {
      return { error: (error as Error).message };
    }
  };
  const node = (kind: TransferJob['kind'], target: Target) =>
    childJson<Transfer>(script, ['transfer', JSON.stringify({ kind, target, bytes: BULK_BYTES })], TIMEOUT_S * 1000);
  for (const { name, target } of [...baselines, porthole]) {
    const row: Record<Column, Outcome> = {
      'down node': await attempt(() => node('download', target)),
      'down curl': await attempt(() => curlDownload(target, BULK_BYTES, TIMEOUT_S)),
      'up node': await attempt(() => node('upload', target)),
      'up curl': await attempt(() => curlUpload(target, file, TIMEOUT_S)),
    };
    results.set(name, row);
    write(`  ${name.padEnd(26)}${COLUMNS.map((c) => cell(row[c], expected)).join('')}\n`);
    for (const c of COLUMNS) {
      const outcome = row[c];
      if ('error' in outcome) write(`    ${c} failed: ${outcome.error}\n`);
    }
  }
  rmSync(folder, { recursive: true, force: true });
  const mine = results.get(porthole.name) as Record<Column, Outcome>;
  write(`  Porthole against the baselines of this run:\n`);
  for (const c of COLUMNS) {
    const outcome = mine[c];
    if ('error' in outcome) continue;
    const bases = baselines.map(({ name }) => {
      const b = results.get(name)?.[c];
      return { name, value: b && !('error' in b) ? b.mbps : Number.NaN };
    });
    write(`    ${c.padEnd(10)} ${fmt(outcome.mbps).padStart(6)} MB/s = ${ratios(outcome.mbps, bases)}\n`);
  }
  write('\n');
}
