/**
 * The benchmark's WebSocket figures (issue 13, item 2), against the origin's
 * /ws endpoints (ws-origin.ts):
 * - a viewer that completes the handshake and then reads nothing while the
 *   origin tries to send WS_BYTES (default 1 GiB): how far the origin gets
 *   before it is held back, and how much the gateway's workerd grows (peak
 *   RSS over the stall, minus before); then the viewer reads everything
 *   (sha256 checked) — the throughput of that read is the Porthole figure;
 * - the same flood read at once, through Porthole and direct to the origin (the baseline);
 * - echo round trips of a 32-byte message, direct and through Porthole.
 */
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { lookup } from '../client/net/lookup';
import { rssMiB } from './procs';
import { type RawViewer, rawViewer } from './raw-websocket';

export interface WsBenchTargets {
  originPort: number;
  gatewayPort: number;
  /** The origin's port host through Porthole, e.g. `4000-<sig>.<session>.localhost:8787`. */
  previewHost: string;
  /** The gateway's workerd processes. */
  gatewayPids: number[];
  /** Bytes the origin sends per flood. */
  bytes: number;
}

export interface WsBenchResult {
  stall: { originWrittenMiB: number; gatewayGrowthMiB: number; seconds: number };
  porthole: { mbps: number; ok: boolean };
  portholeAtOnce: { mbps: number; ok: boolean };
  direct: { mbps: number; ok: boolean };
  echo: { direct: number[]; porthole: number[] };
}

const ECHOES = 500;
/** The origin counts as held back once no write of its completed for this long. */
const STALLED_MS = 1000;

export async function measureWebSockets(t: WsBenchTargets): Promise<WsBenchResult> {
  const gatewayRss = () => t.gatewayPids.reduce((sum, pid) => sum + rssMiB(pid), 0);
  const path = `/ws/flood?bytes=${t.bytes}`;

  const before = gatewayRss();
  let peak = before;
  const started = Date.now();
  const stalled = await rawViewer(t.gatewayPort, t.previewHost, path);
  let stats = { written: 0, idleMs: 0 };
  // Bounded: 60 s for the origin to be held back.
  while (Date.now() - started < 60_000) {
    await sleep(100);
    peak = Math.max(peak, gatewayRss());
    stats = await originStats(t.originPort);
    if (stats.written > 0 && stats.idleMs > STALLED_MS) break;
  }
  const stall = {
    originWrittenMiB: stats.written / 2 ** 20,
    gatewayGrowthMiB: peak - before,
    seconds: (Date.now() - started) / 1000,
  };
  const porthole = await readAll(stalled, t.bytes);
  const portholeAtOnce = await readAll(await rawViewer(t.gatewayPort, t.previewHost, path), t.bytes);
  const direct = await readAll(await rawViewer(t.originPort, `127.0.0.1:${t.originPort}`, path), t.bytes);

  const echo = {
    direct: await echoes(`ws://127.0.0.1:${t.originPort}/ws/echo`),
    porthole: await echoes(`ws://${t.previewHost}/ws/echo`),
  };
  return { stall, porthole, portholeAtOnce, direct, echo };
}

/** Read the rest of a flood; MB/s from now until its last byte, and whether the origin's sha256 matches. */
async function readAll(viewer: RawViewer, bytes: number): Promise<{ mbps: number; ok: boolean }> {
  const start = process.hrtime.bigint();
  const from = viewer.received;
  viewer.read();
  // Bounded: at 1 MB/s a GiB would take far longer than anyone waits; 10 minutes is the cap.
  const deadline = Date.now() + 600_000;
  while (viewer.text === null && Date.now() < deadline) await sleep(20);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  viewer.destroy();
  return {
    mbps: (viewer.received - from) / 1e6 / seconds,
    ok: viewer.received === bytes && viewer.text === viewer.digest(),
  };
}

/** Round-trip times in ms of ECHOES 32-byte messages, one at a time, on one socket. */
async function echoes(url: string): Promise<number[]> {
  const socket = new WebSocket(url, { lookup, perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  const times: number[] = [];
  const payload = Buffer.alloc(32, 7);
  for (let i = 0; i < ECHOES; i++) {
    const start = process.hrtime.bigint();
    await new Promise<void>((resolve) => {
      socket.once('message', () => resolve());
      socket.send(payload);
    });
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  socket.close();
  return times;
}

function originStats(port: number): Promise<{ written: number; idleMs: number }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: '/ws/stats', agent: false }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(JSON.parse(body) as { written: number; idleMs: number }));
      })
      .on('error', reject);
  });
}

function fmt(n: number, digits = 0): string {
  return Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : 'n/a';
}

/** The WebSocket section of `npm run bench`: measure, then print each figure beside its baseline. */
export async function webSocketSection(t: WsBenchTargets): Promise<void> {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`WebSockets, the origin sending ${fmt(t.bytes / 2 ** 20)} MiB of random binary messages:`);
  const r = await measureWebSockets(t);
  out(
    `  viewer reads nothing: origin held back after ${fmt(r.stall.originWrittenMiB, 1)} MiB; gateway (workerd) grew ${fmt(r.stall.gatewayGrowthMiB, 1)} MiB (bound: 32 MiB)`,
  );
  const check = (ok: boolean) => (ok ? 'sha256 ok' : 'SHA256 MISMATCH');
  const share = (mbps: number) => `${fmt((100 * mbps) / r.direct.mbps, 1)} % of direct`;
  out(
    `  then read, Porthole                ${fmt(r.porthole.mbps).padStart(6)} MB/s (${check(r.porthole.ok)})   ${share(r.porthole.mbps)}`,
  );
  out(
    `  read at once, Porthole             ${fmt(r.portholeAtOnce.mbps).padStart(6)} MB/s (${check(r.portholeAtOnce.ok)})   ${share(r.portholeAtOnce.mbps)}`,
  );
  out(`  read at once, direct to origin     ${fmt(r.direct.mbps).padStart(6)} MB/s (${check(r.direct.ok)})`);
  const p = (values: number[], q: number) =>
    fmt([...values].sort((x, y) => x - y)[Math.floor((q / 100) * (values.length - 1))] as number, 2);
  out(
    `  echo of 32 bytes, one at a time    Porthole p50 ${p(r.echo.porthole, 50)} ms p99 ${p(r.echo.porthole, 99)} ms   direct p50 ${p(r.echo.direct, 50)} ms p99 ${p(r.echo.direct, 99)} ms\n`,
  );
}
