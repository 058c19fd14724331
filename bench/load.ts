/**
 * The benchmark's load generator: N workers on N keep-alive connections, each sending its next small
 * GET when the last ends (closed loop). It runs in a process of its own (`node dist/bench.js load
 * <json>`), so it does not share an event loop with the front server or Miniflare in the bench's
 * process. Measuring starts once every connection had an answer. Bounded: every request has a
 * deadline, opening has one, and the run ends REQUEST_TIMEOUT_MS after its end at the latest.
 * Answers other than 2xx and socket errors (including timeouts) are counted apart, over the whole
 * run (warm-up included); req/s and latencies are of the 2xx answers in the measured part (a
 * refusal is cheap: counting it would flatter a path that refuses).
 */
import http from 'node:http';
import { childJson, percentile } from './common';

export interface Target {
  port: number;
  host: string;
  path: string;
  headers?: Record<string, string>;
}

export interface LoadResult {
  concurrency: number;
  /** Seconds until every connection had its first answer (bounded by OPEN_BOUND_MS). */
  openSeconds: number;
  /** 2xx answers in the measured part. */
  requests: number;
  /** Answers other than 2xx. */
  non2xx: number;
  /** The answers other than 2xx, by status. */
  statuses: Record<number, number>;
  /** Connections refused or reset, parse errors, requests past their deadline. */
  socketErrors: number;
  /** Of socketErrors: requests past their deadline. */
  timeouts: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
}

/** A request with no answer after this long counts as a socket error (a timeout). */
const REQUEST_TIMEOUT_MS = 10_000;
/** Opening the connections (each worker's first answer) may take this long at most. */
const OPEN_BOUND_MS = 15_000;

/**
 * Source addresses the connections are spread over (127.0.0.1, .2, …): 1 by default, one viewer,
 * as a user's wrk or curl is; more shows the same load from several viewers (per-viewer limits).
 */
export const SOURCES = Number(process.env.BENCH_SOURCES ?? 1);

function get(agent: http.Agent, target: Target, localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: '127.0.0.1',
        port: target.port,
        path: target.path,
        headers: { host: target.host, ...target.headers },
        agent,
        localAddress,
      },
      (res) => {
        res.on('data', () => {});
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', reject);
  });
}

/**
 * Run for `seconds` once every worker has had one answer (its connection is open) and at least
 * `warmup` seconds have passed; opening is bounded by OPEN_BOUND_MS. In this process.
 */
export async function load(target: Target, concurrency: number, seconds: number, warmup = 1): Promise<LoadResult> {
  // One socket per worker, kept alive; Node raises its descriptor limit to the hard limit at start.
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency, maxFreeSockets: concurrency });
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let non2xx = 0;
  let socketErrors = 0;
  let timeouts = 0;
  const start = performance.now();
  let measureFrom = Number.POSITIVE_INFINITY;
  let end = Number.POSITIVE_INFINITY;
  let answered = 0;
  let opened: () => void = () => {};
  const allOpen = new Promise<void>((resolve) => (opened = resolve));
  const worker = async (_: unknown, index: number) => {
    const localAddress = `127.0.0.${1 + (index % SOURCES)}`;
    let first = true;
    while (performance.now() < end) {
      const t0 = performance.now();
      let ok = false;
      try {
        const status = await get(agent, target, localAddress);
        ok = status >= 200 && status <= 299;
        if (!ok) {
          non2xx++;
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
      } catch (error) {
        socketErrors++;
        if ((error as { code?: string }).code === 'TIMEOUT') timeouts++;
        // A refused connection fails at once: do not spin on it.
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const t1 = performance.now();
      if (ok && t0 >= measureFrom && t1 <= end) latencies.push(t1 - t0);
      if (first && ++answered === concurrency) opened();
      first = false;
    }
  };
  const workers = Promise.all(Array.from({ length: concurrency }, worker));
  let openBound: NodeJS.Timeout | undefined;
  await Promise.race([allOpen, new Promise((resolve) => (openBound = setTimeout(resolve, OPEN_BOUND_MS)))]);
  clearTimeout(openBound);
  const openSeconds = (performance.now() - start) / 1000;
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + warmup * 1000 - performance.now())));
  measureFrom = performance.now();
  end = measureFrom + seconds * 1000;
  await workers;
  const measuredEnd = Math.min(end, performance.now());
  agent.destroy();
  const elapsed = (measuredEnd - measureFrom) / 1000;
  return {
    concurrency,
    openSeconds,
    requests: latencies.length,
    non2xx,
    statuses,
    socketErrors,
    timeouts,
    seconds: elapsed,
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

interface LoadJob {
  target: Target;
  concurrency: number;
  seconds: number;
  warmup: number;
}

/** `node dist/bench.js load <json>`: run one load and print its result as one JSON line. */
export async function runLoadChild(job: string): Promise<void> {
  const { target, concurrency, seconds, warmup } = JSON.parse(job) as LoadJob;
  const result = await load(target, concurrency, seconds, warmup);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** The same load, run by the bench in a process of its own (`script` is dist/bench.js). */
export function loadInChild(
  script: string,
  target: Target,
  concurrency: number,
  seconds: number,
  warmup = 1,
): Promise<LoadResult> {
  const job: LoadJob = { target, concurrency, seconds, warmup };
  const bound = OPEN_BOUND_MS + (warmup + seconds) * 1000 + REQUEST_TIMEOUT_MS + 10_000;
  return childJson<LoadResult>(script, ['load', JSON.stringify(job)], bound);
}
