/**
 * `node dist/bench.js tcp-probe <json>` — the TCP section's own program (the "psql" of the owner's
 * machine), in a process of its own: one measurement against 127.0.0.1:<port>, which is either an
 * origin of tcp-origin.ts (the direct baseline) or `porthole forward`'s local port in front of it.
 * Prints one JSON line; times are milliseconds (performance.now()).
 */
import net from 'node:net';

/** What to measure: `port` is the echo origin for rtt/setup/echo, the sink for upload, the source for download. */
export type ProbeJob =
  | { kind: 'rtt'; port: number; rounds: number; warmup: number }
  | { kind: 'setup'; port: number; trials: number }
  | { kind: 'upload' | 'download' | 'echo'; port: number; bytes: number };

/** rtt and setup: one time per trial; the transfers: the bytes and the time they took. */
export type ProbeResult = { times: number[] } | { bytes: number; ms: number };

const BLOCK = Buffer.alloc(64 * 1024, 0x5a);

function open(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true, allowHalfOpen: true });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Resolves once the socket closed; rejects on a socket error (a reset: the path failed). */
function closed(socket: net.Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('close', () => resolve());
  });
}

/** `rounds` 1-byte ping-pongs on one connection, after `warmup` unmeasured ones. */
async function roundTrips(port: number, rounds: number, warmup: number): Promise<number[]> {
  const socket = await open(port);
  const ping = Buffer.from('x');
  let wake: (() => void) | null = null;
  socket.on('data', () => wake?.());
  const times: number[] = [];
  for (let i = 0; i < warmup + rounds; i++) {
    const start = performance.now();
    await new Promise<void>((resolve) => {
      wake = resolve;
      socket.write(ping);
    });
    if (i >= warmup) times.push(performance.now() - start);
  }
  socket.end();
  await closed(socket);
  return times;
}

/** `trials` new connections, one after another: connect, 1 byte out, its echo back; each closed before the next. */
async function setups(port: number, trials: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < trials; i++) {
    const start = performance.now();
    const socket = await open(port);
    await new Promise<void>((resolve) => {
      socket.once('data', () => resolve());
      socket.write('x');
    });
    times.push(performance.now() - start);
    socket.end();
    await closed(socket);
  }
  return times;
}

/** Write `total` bytes as the socket drains, then half-close. */
async function writeAll(socket: net.Socket, total: number): Promise<void> {
  for (let sent = 0; sent < total;) {
    const chunk = total - sent >= BLOCK.length ? BLOCK : BLOCK.subarray(0, total - sent);
    sent += chunk.length;
    if (!socket.write(chunk)) await new Promise((resolve) => socket.once('drain', resolve));
  }
  socket.end();
}

/** Bytes received until the peer's FIN; `text` keeps the first 64 of them. */
function readAll(socket: net.Socket): Promise<{ bytes: number; text: string }> {
  let bytes = 0;
  let text = '';
  socket.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (text.length < 64) text += chunk.toString('latin1', 0, 64);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.once('end', () => resolve({ bytes, text }));
  });
}

/** upload: to the sink, which answers the count; download: from the source; echo: both ways at once. */
async function transfer(kind: 'upload' | 'download' | 'echo', port: number, bytes: number): Promise<ProbeResult> {
  const socket = await open(port);
  const start = performance.now();
  const received = readAll(socket);
  if (kind === 'download') socket.end(`${bytes}\n`);
  else await writeAll(socket, bytes);
  const got = await received;
  const ms = performance.now() - start;
  socket.destroy();
  const count = kind === 'upload' ? Number(got.text.trim()) : got.bytes;
  if (count !== bytes) throw new Error(`${kind}: ${count} bytes arrived of ${bytes}`);
  return { bytes, ms };
}

export async function runTcpProbe(json: string): Promise<void> {
  const job = JSON.parse(json) as ProbeJob;
  let result: ProbeResult;
  if (job.kind === 'rtt') result = { times: await roundTrips(job.port, job.rounds, job.warmup) };
  else if (job.kind === 'setup') result = { times: await setups(job.port, job.trials) };
  else result = await transfer(job.kind, job.port, job.bytes);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}
