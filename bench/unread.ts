/**
 * Bench section — a client that sends faster than it reads (issue 13 item 3).
 * A raw tunnel client announces 900 ports with 100-character process names,
 * stops reading, and keeps changing one port every 150 ms (as fast as the real
 * client's watcher scans; each change rewrites the 900-port table, so faster is
 * over the control rate) for PAUSE_MS: every change earns a ~200 KB port
 * snapshot it does not read (about 1.3 MB/s). Then it reads again (never answering a
 * probe) and reports how the gateway closed it (1008 and the reason), how
 * much the gateway had sent it (bounded by the 8 MiB unread budget plus one
 * snapshot), and the gateway's RSS before and at its peak during the flood.
 * Run alone with `node dist/bench.js unread` (after `npm run build`).
 */
import { randomBytes } from 'node:crypto';
import WebSocket from 'ws';
import { startGateway } from '../client/dev/gateway';
import { createSession } from '../client/dev/session';
import { lookup } from '../client/net/lookup';
import { encode, type Frame, SUBPROTOCOL, UNREAD_BUDGET_BYTES } from '../protocol';
import { descendantsNamed, rssMiB } from './procs';

/** How long the client floods without reading, in milliseconds: twice what 8 MiB of snapshots take. */
const PAUSE_MS = 13_000;
/** Give up on the close this long after reading again, in milliseconds. */
const CLOSE_TIMEOUT_MS = 30_000;
/** Milliseconds between two PORTS frames: 6.7 a second, each charged ~911 ports, under the control rate. */
const FRAME_EVERY_MS = 150;

/** Current resident set (VmRSS) of the processes together, in MiB; NaN if one is unreadable. */
function totalRssMiB(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + rssMiB(pid), 0);
}

export interface UnreadResult {
  /** Close code and reason the gateway gave; code 0 when it did not close within CLOSE_TIMEOUT_MS. */
  code: number;
  reason: string;
  /** PORTS frames the client sent while not reading (the gateway answered them until it closed). */
  frames: number;
  /** Bytes the gateway sent the client after it stopped reading (read back after the close). */
  unreadBytes: number;
  /** Gateway RSS (VmRSS) before the flood and its highest sample during it, in MiB. */
  rssBefore: number;
  rssPeak: number;
}

/** The measurement against a running gateway (its admin token, and its workerd pids for RSS). */
export async function measureUnread(gatewayUrl: string, adminToken: string, pids: number[]): Promise<UnreadResult> {
  const { token } = await createSession(gatewayUrl, adminToken);
  const ws = new WebSocket(`${gatewayUrl.replace('http', 'ws')}/connect`, [SUBPROTOCOL], {
    headers: { authorization: `Bearer ${token}` },
    lookup,
  });
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const send = (frame: Frame) => ws.send(encode(frame));
  let reading = true;
  let unreadBytes = 0;
  const welcomed = new Promise<void>((resolve) =>
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) return;
      if (reading) resolve();
      else unreadBytes += data.byteLength;
    }),
  );
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  const ports = Array.from({ length: 900 }, (_, i) => ({ port: 20000 + i, process: 'x'.repeat(100) }));
  send({ type: 'HELLO', stream: 0, body: { ports } });
  await welcomed;
  const rssBefore = totalRssMiB(pids);
  reading = false;
  ws.pause();
  const start = Date.now();
  let frames = 0;
  let rssPeak = rssBefore;
  await new Promise<void>((resolve) => {
    const flood = setInterval(() => {
      rssPeak = Math.max(rssPeak, totalRssMiB(pids));
      if (ws.readyState !== WebSocket.OPEN || Date.now() - start > PAUSE_MS) {
        clearInterval(flood);
        resolve();
        return;
      }
      const change = frames++ % 2 === 0 ? { opened: [{ port: 30000 }], closed: [] } : { opened: [], closed: [30000] };
      send({ type: 'PORTS', stream: 0, body: change });
    }, FRAME_EVERY_MS);
  });
  ws.resume(); // The close frame, if any, is behind everything unread.
  const timeout = new Promise<{ code: number; reason: string }>((resolve) =>
    setTimeout(() => resolve({ code: 0, reason: 'not closed' }), CLOSE_TIMEOUT_MS).unref(),
  );
  const result = await Promise.race([closed, timeout]);
  ws.terminate();
  return { ...result, frames, unreadBytes, rssBefore, rssPeak };
}

/** One line per figure, for the benchmark's output. */
export function unreadReport(r: UnreadResult): string {
  const mib = (n: number) => (n / 1024 / 1024).toFixed(1);
  return (
    `  closed with ${r.code} "${r.reason}" (${r.frames} PORTS frames sent in ${PAUSE_MS / 1000} s)\n` +
    `  sent to it unread before the close: ${mib(r.unreadBytes)} MiB (budget ${mib(UNREAD_BUDGET_BYTES)} MiB + one snapshot)\n` +
    `  gateway RSS: ${r.rssBefore.toFixed(1)} MiB before, ${r.rssPeak.toFixed(1)} MiB at most during the flood\n`
  );
}

/** `node dist/bench.js unread`: this section alone, against a gateway of its own. */
export async function runUnreadAlone(gatewayScript: string): Promise<void> {
  const secrets = {
    ADMIN_TOKEN: randomBytes(24).toString('base64url'),
    LABEL_KEY: randomBytes(32).toString('base64url'),
    TOKEN_SECRET: randomBytes(32).toString('base64url'),
  };
  const before = new Set(descendantsNamed(process.pid, 'workerd'));
  const gateway = await startGateway({ script: gatewayScript, secrets });
  const pids = descendantsNamed(process.pid, 'workerd').filter((p) => !before.has(p));
  process.stdout.write(`${UNREAD_TITLE}\n`);
  process.stdout.write(unreadReport(await measureUnread(gateway.url, secrets.ADMIN_TOKEN, pids)));
  await gateway.stop();
}

export const UNREAD_TITLE =
  'A client that stops reading while it keeps changing a 900-port table (~200 KB snapshots, 6.7 changes/s):';
