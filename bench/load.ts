/** A small closed-loop load generator: N workers, each sending its next request when the last ends. */
import http from 'node:http';

export interface Target {
  port: number;
  host: string;
  path: string;
  headers?: Record<string, string>;
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
}

function get(agent: http.Agent, target: Target): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: '127.0.0.1',
        port: target.port,
        path: target.path,
        headers: { host: target.host, ...target.headers },
        agent,
      },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
  });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Run for `seconds` after a warm-up, at the given concurrency. Bounded in time. */
export async function load(target: Target, concurrency: number, seconds: number, warmup = 1): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let measuring = false;
  const start = performance.now();
  const warmEnd = start + warmup * 1000;
  const end = warmEnd + seconds * 1000;
  let measuredStart = warmEnd;
  const worker = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      if (!measuring && t0 >= warmEnd) {
        measuring = true;
        measuredStart = t0;
      }
      try {
        const status = await get(agent, target);
        if (status !== 200) errors++;
      } catch {
        errors++;
      }
      if (t0 >= warmEnd) latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - measuredStart) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    seconds: elapsed,
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}
