/**
 * What the TCP forwarding tests share: TCP origins on loopback (each counting the connections it
 * accepted), an owner token, the real `porthole forward` (dist/cli.js) running until the test
 * ends, and local connections to it that collect what they receive.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliRun } from './cli-run';
import { afterTest, type Harness, request } from './harness';

/** A TCP server on 127.0.0.1, port 0, closed when the test ends; `accepted` counts its connections. */
export async function tcpOrigin(
  onConnection: (socket: net.Socket) => void,
): Promise<{ port: number; accepted: () => number; close(): Promise<void> }> {
  let accepted = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    onConnection(socket);
  });
  const close = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  afterTest(close);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, accepted: () => accepted, close };
}

/** An echo server that keeps half-close: the client's FIN is echoed once everything before it was. */
export const echo = (socket: net.Socket) => socket.pipe(socket);

/** An owner token for `session`, minted with its session token. */
export async function ownerToken(h: Harness, session: string, sessionToken: string): Promise<string> {
  const reply = await request(h.gateway, `/api/sessions/${session}/owner-token`, {
    method: 'POST',
    headers: { authorization: `Bearer ${sessionToken}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (reply.status !== 201) throw new Error(`owner token: ${reply.status} ${reply.body}`);
  return (JSON.parse(reply.body.toString()) as { token: string }).token;
}

/** A scratch folder for the CLI's state, removed when the test ends. */
export function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'porthole-forward-'));
  afterTest(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `porthole forward <port>:0 --json` with `env`; resolves with the run and its local port once it listens. */
export async function startForward(
  h: Harness,
  port: number,
  env: NodeJS.ProcessEnv,
  args: string[] = [],
): Promise<{ run: CliRun; local: number }> {
  const run = runCli(['forward', `${port}:0`, '--gateway', h.gateway.url, '--json', ...args], scratch(), env);
  const line = await run.line((value) => value.event === 'forwarding', 30_000);
  return { run, local: Number(String(line.local).split(':')[1]) };
}

/** What one local connection received, and how it ended. */
export interface Received {
  bytes: number;
  sha256: string;
  text: string;
  /** 'end' (a FIN), or the socket error's code (ECONNRESET …). */
  ended: string;
}

/** Connect to 127.0.0.1:`port`; the promise settles once the connection closed (or after `timeoutMs`). */
export function connectLocal(port: number, timeoutMs = 60_000): { socket: net.Socket; done: Promise<Received> } {
  const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  afterTest(() => socket.destroy());
  const hash = createHash('sha256');
  let bytes = 0;
  let text = '';
  let ended = '';
  const done = new Promise<Received>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`connection still open after ${timeoutMs} ms (${bytes} bytes)`)),
      timeoutMs,
    );
    socket.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
      if (text.length < 4096) text += chunk.toString('latin1');
    });
    socket.on('end', () => (ended ||= 'end'));
    socket.on('error', (error: NodeJS.ErrnoException) => (ended ||= error.code ?? error.message));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ bytes, sha256: hash.digest('hex'), text, ended });
    });
  });
  return { socket, done };
}

/** Write `total` bytes of a seeded pseudo-random stream to `socket` as it drains, then end it; resolves with their sha256. */
export async function writeRandom(socket: net.Socket, total: number, seed = 1): Promise<string> {
  const hash = createHash('sha256');
  const block = Buffer.alloc(256 * 1024);
  let state = seed;
  for (let sent = 0; sent < total;) {
    for (let i = 0; i < block.length; i += 4) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      block.writeUInt32LE(state, i);
    }
    const chunk = Buffer.from(block.subarray(0, Math.min(block.length, total - sent)));
    hash.update(chunk);
    sent += chunk.length;
    if (!socket.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        socket.once('drain', resolve);
        socket.once('close', () => reject(new Error('closed while writing')));
      });
    }
  }
  socket.end();
  return hash.digest('hex');
}
