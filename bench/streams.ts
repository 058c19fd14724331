/**
 * Abandoned streams and per-viewer fairness (issue 13, item 1), on a gateway of its own:
 * - streams held after ABANDONED requests to a quiet event stream whose viewers leave once the
 *   head arrives: right after, and once the grace time has passed (it must reach 0), with the time
 *   it took;
 * - p50 of an honest viewer's small GET while another viewer (another source address) floods the
 *   session with abandoned quiet streams, against the same p50 with no flood, as a ratio.
 * Bounded: a few seconds each. `node dist/bench.js streams` runs only this section.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from '../client/agent';
import { startGateway } from '../client/dev/gateway';
import { createSession } from '../client/dev/session';
import type { ApiStatus } from '../protocol';

/** Requests abandoned at once in the first figure. */
export const ABANDONED = Number(process.env.BENCH_ABANDONED ?? 500);
/** Seconds of each honest-viewer run (baseline, then under the flood). */
const FAIR_SECONDS = Number(process.env.BENCH_FAIR_SECONDS ?? 3);
/** Concurrent flooding loops of the attacking viewer: more than a whole session's streams (256). */
const FLOOD_LOOPS = 300;
/** Bound on waiting for every abandoned stream to be freed. */
const GRACE_BOUND_MS = 20_000;

interface Gets {
  p50: number;
  p99: number;
  requests: number;
  /** Answers other than 200, by status. */
  refused: Record<number, number>;
}

/** A GET from `localAddress`; resolves with the status once the head arrives, then `then` decides. */
function get(port: number, host: string, path: string, localAddress: string, abandon: boolean): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: { host }, agent: false, localAddress }, (res) => {
      if (abandon) {
        req.destroy();
        resolve(res.statusCode ?? 0);
        return;
      }
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
  });
}

/** Sequential small GETs from `from` for `seconds`: their p50 in ms and what was refused. */
async function honest(port: number, host: string, from: string, seconds: number): Promise<Gets> {
  const times: number[] = [];
  const refused: Record<number, number> = {};
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const t0 = performance.now();
    const status = await get(port, host, '/small', from, false);
    times.push(performance.now() - t0);
    if (status !== 200) refused[status] = (refused[status] ?? 0) + 1;
  }
  times.sort((a, b) => a - b);
  const at = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))] ?? Number.NaN;
  return { p50: at(0.5), p99: at(0.99), requests: times.length, refused };
}

export interface StreamsFigures {
  abandoned: number;
  /** From the first request sent to the last viewer gone (the earliest are freed meanwhile). */
  leavingMs: number;
  heldAtOnce: number;
  heldAfterGrace: number;
  graceMs: number;
  baseline: Gets;
  flooded: Gets;
  floodRefused: Record<number, number>;
}

/** Both figures, each on a fresh session of a gateway started here (stopped before returning). */
export async function measureStreams(script: string): Promise<StreamsFigures> {
  const origin = http.createServer((req, res) => {
    if (req.url === '/quiet') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      return;
    }
    res.end('hello, world\n');
  });
  origin.listen(0, '127.0.0.1');
  await new Promise((resolve) => origin.once('listening', resolve));
  const originPort = (origin.address() as AddressInfo).port;
  const secrets = {
    ADMIN_TOKEN: randomBytes(24).toString('base64url'),
    LABEL_KEY: randomBytes(32).toString('base64url'),
    TOKEN_SECRET: randomBytes(32).toString('base64url'),
  };
  // Room for every abandoned request at once, so none is refused before it holds a stream.
  const roomy = String(Math.max(256, ABANDONED));
  const gateway = await startGateway({ script, secrets, vars: { MAX_STREAMS: roomy, VIEWER_MAX_STREAMS: roomy } });
  const defaults = await startGateway({ script, secrets });
  const agents: Agent[] = [];
  const connect = async (g: typeof gateway) => {
    const session = await createSession(g.url, secrets.ADMIN_TOKEN);
    const agent = new Agent({ gateway: g.url, token: session.token, ports: [originPort], visibility: () => 'public' });
    agents.push(agent);
    const host = new URL(await agent.url(originPort)).host;
    const owner = (await agent.api.ownerToken()).token;
    const streams = () =>
      new Promise<number>((resolve, reject) => {
        const path = `/api/sessions/${session.session}/status`;
        const headers = { host: new URL(g.url).host, authorization: `Bearer ${owner}` };
        const req = http.get({ host: '127.0.0.1', port: g.port, path, headers, agent: false }, (res) => {
          let body = '';
          res.on('data', (chunk: Buffer) => (body += chunk.toString()));
          res.on('end', () => resolve((JSON.parse(body) as ApiStatus).streams));
        });
        req.on('error', reject);
      });
    return { host, streams };
  };
  try {
    // 1. Abandoned requests: every viewer leaves as soon as the head arrives.
    const a = await connect(gateway);
    const sent = performance.now();
    await Promise.all(Array.from({ length: ABANDONED }, () => get(gateway.port, a.host, '/quiet', '127.0.0.1', true)));
    const left = performance.now();
    const leavingMs = left - sent;
    const heldAtOnce = await a.streams();
    let heldAfterGrace = heldAtOnce;
    while (heldAfterGrace > 0 && performance.now() - left < GRACE_BOUND_MS) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      heldAfterGrace = await a.streams();
    }
    const graceMs = performance.now() - left;

    // 2. Fairness, with the default limits: an honest viewer's GETs, alone and beside a flood.
    const b = await connect(defaults);
    const baseline = await honest(defaults.port, b.host, '127.0.0.1', FAIR_SECONDS);
    const floodRefused: Record<number, number> = {};
    let flooding = true;
    const flood = Array.from({ length: FLOOD_LOOPS }, async () => {
      while (flooding) {
        const status = await get(defaults.port, b.host, '/quiet', '127.0.0.2', true);
        if (status !== 200) floodRefused[status] = (floodRefused[status] ?? 0) + 1;
        // A refused request is retried after its Retry-After (1 s): this measures the share of streams,
        // not a request-rate flood (which one single-threaded runtime serves in arrival order).
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    });
    // Let the flood fill its share first.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const flooded = await honest(defaults.port, b.host, '127.0.0.1', FAIR_SECONDS);
    flooding = false;
    await Promise.all(flood);
    // The flood's last streams are freed by the probe too; stopping before that would abort them noisily.
    const drained = performance.now();
    while ((await b.streams()) > 0 && performance.now() - drained < GRACE_BOUND_MS) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return {
      abandoned: ABANDONED,
      leavingMs,
      heldAtOnce,
      heldAfterGrace,
      graceMs,
      baseline,
      flooded,
      floodRefused,
    };
  } finally {
    for (const agent of agents) agent.stop();
    origin.closeAllConnections();
    origin.close();
    await gateway.stop();
    await defaults.stop();
  }
}

/** The section's lines, as run.ts prints them. */
export function streamsReport(f: StreamsFigures, fmt: (n: number, digits?: number) => string): string {
  const refused = (r: Record<number, number>) =>
    Object.entries(r)
      .map(([status, n]) => `${n} × ${status === '0' ? 'error' : status}`)
      .join(', ') || 'none';
  return (
    `Abandoned streams: ${f.abandoned} GETs of a quiet event stream, each viewer gone once the head arrived:\n` +
    `  streams held right after           ${fmt(f.heldAtOnce)} (the ${f.abandoned} came and went within ${fmt(f.leavingMs)} ms)\n` +
    `  streams held after the grace time  ${fmt(f.heldAfterGrace)} (after ${fmt(f.graceMs)} ms; target 0)\n` +
    `Fairness: an honest viewer's small GETs while another viewer floods (${FLOOD_LOOPS} loops of abandoned quiet streams, a refused one retried after Retry-After), default limits:\n` +
    `  alone                              p50 ${fmt(f.baseline.p50, 2)} ms   p99 ${fmt(f.baseline.p99, 2)} ms   (${f.baseline.requests} GETs, refused: ${refused(f.baseline.refused)})\n` +
    `  beside the flood                   p50 ${fmt(f.flooded.p50, 2)} ms   p99 ${fmt(f.flooded.p99, 2)} ms   (${f.flooded.requests} GETs, refused: ${refused(f.flooded.refused)})   p50 ${fmt(f.flooded.p50 / f.baseline.p50, 2)} × alone\n` +
    `  the flooder was refused            ${refused(f.floodRefused)}\n`
  );
}
