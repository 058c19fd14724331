/** Small helpers the benchmark's sections share: number formatting, percentiles, ratios, child processes. */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Target } from './load';

export function fmt(n: number, digits = 0): string {
  return Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';
}

/** The value at percentile `p` of `values` (sorted here); NaN when empty. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** A path the benchmark measures: a baseline or Porthole. */
export interface Named {
  name: string;
  target: Target;
}

/** A named figure of a baseline, to compare a Porthole figure with. */
export interface Baseline {
  name: string;
  value: number;
}

/**
 * `value` against each baseline, in order: as a percentage where more is better (throughput),
 * as a multiple where less is better (latency), e.g. "62 % of Worker→DO (Miniflare) · 31 % of direct".
 */
export function ratios(value: number, baselines: Baseline[], lessIsBetter = false): string {
  return baselines
    .filter((b) => Number.isFinite(b.value) && b.value > 0)
    .map((b) =>
      lessIsBetter ? `${fmt(value / b.value, 2)}× ${b.name}` : `${fmt((100 * value) / b.value, 0)} % of ${b.name}`,
    )
    .join(' · ');
}

export function write(text: string): void {
  process.stdout.write(text);
}

/** Spawn a Node child and resolve with the first stdout line for which `match` returns a value. */
export async function spawnUntil(
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

/** Run `node script ...args` and parse the JSON it prints; killed after `boundMs`. */
export function childJson<T>(script: string, args: string[], boundMs: number): Promise<T> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => (out += chunk));
  const bound = setTimeout(() => child.kill('SIGKILL'), boundMs);
  return new Promise((resolve, reject) => {
    child.once('exit', (code, signal) => {
      clearTimeout(bound);
      try {
        resolve(JSON.parse(out) as T);
      } catch {
        reject(
          new Error(
            signal === 'SIGKILL' ? `timed out after ${boundMs / 1000} s` : `exited with ${code}: ${out.slice(0, 200)}`,
          ),
        );
      }
    });
  });
}
