/**
 * `node dist/profile.js [seconds] [concurrency] [path]` — where the gateway's time goes: small GETs
 * through Porthole (the real client in its own process, an origin in this one) while a V8 CPU profile
 * of the gateway's isolate (the Worker and its Session objects share it) is taken over workerd's
 * inspector (Chrome DevTools Protocol, Profiler domain). Prints self time by function, heaviest
 * first, and writes the whole profile to `gateway.cpuprofile` (open it in Chrome DevTools).
 * Defaults: 10 s, concurrency 32, `/small` (a 13-byte answer). Loopback only, bounded in time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startGateway } from '../client/dev/gateway';
import { createSession } from '../client/dev/session';
import { load } from './load';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One CDP session: `send(method, params)` resolves with the result. */
async function inspect(
  url: string,
): Promise<{ send: (method: string, params?: object) => Promise<unknown>; close(): void }> {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  let next = 0;
  const pending = new Map<number, (result: unknown) => void>();
  socket.on('message', (data) => {
    const message = JSON.parse(String(data)) as { id?: number; result?: unknown };
    if (message.id !== undefined) pending.get(message.id)?.(message.result);
  });
  return {
    send: (method, params = {}) =>
      new Promise((resolve) => {
        const id = ++next;
        pending.set(id, resolve);
        socket.send(JSON.stringify({ id, method, params }));
      }),
    close: () => socket.close(),
  };
}

/** Self time (ms) per function, heaviest first, as printable lines with their share of all samples. */
export function selfTimes(profile: Profile, top = 30): string[] {
  const byId = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const totals = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id);
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    all += ms;
    const file = frame?.url.split('/').pop() ?? '';
    const key = `${frame?.functionName || '(anonymous)'} ${file}${file ? `:${(frame?.lineNumber ?? 0) + 1}` : ''}`;
    totals.set(key, (totals.get(key) ?? 0) + ms);
  });
  return [...totals]
    .sort(([, a], [, b]) => b - a)
    .slice(0, top)
    .map(([key, ms]) => `${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / all).toFixed(1).padStart(5)} %  ${key}`);
}

/** Spawns the client and resolves with the preview URL of `port` from its `--json` events. */
function connect(gateway: string, token: string, port: number): Promise<{ child: ChildProcess; url: string }> {
  const cli = fileURLToPath(new URL('./cli.js', import.meta.url));
  const child = spawn(
    process.execPath,
    [cli, 'connect', '--gateway', gateway, '--port', String(port), '--default-visibility', 'public', '--json'],
    {
      env: { ...process.env, PORTHOLE_TOKEN: token },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the client did not open the port within 30 s')), 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const event = JSON.parse(line) as { event: string; port?: number; url?: string };
      if (event.event === 'port.open' && event.port === port && event.url) {
        clearTimeout(timer);
        resolve({ child, url: event.url });
      }
    });
  });
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 10);
  const concurrency = Number(process.argv[3] ?? 32);
  const path = process.argv[4] ?? '/small';
  const origin = http.createServer((_req, res) => res.end('hello, bench!'));
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const originPort = (origin.address() as AddressInfo).port;
  const secrets = {
    ADMIN_TOKEN: randomBytes(24).toString('base64url'),
    LABEL_KEY: randomBytes(32).toString('base64url'),
    TOKEN_SECRET: randomBytes(32).toString('base64url'),
  };
  const inspectorPort = 9300 + Math.floor(Math.random() * 500);
  const gateway = await startGateway({
    script: fileURLToPath(new URL('./gateway.js', import.meta.url)),
    secrets,
    inspectorPort,
  });
  const session = await createSession(gateway.url, secrets.ADMIN_TOKEN);
  const client = await connect(gateway.url, session.token, originPort);
  try {
    const preview = new URL(client.url);
    const target = { port: gateway.port, host: preview.host, path };
    await load(target, concurrency, 2, 0); // warm-up, not profiled
    const cdp = await inspect(`ws://127.0.0.1:${inspectorPort}/core:user:`);
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
    await cdp.send('Profiler.start');
    const result = await load(target, concurrency, seconds, 0);
    const { profile } = (await cdp.send('Profiler.stop')) as { profile: Profile };
    cdp.close();
    writeFileSync('gateway.cpuprofile', JSON.stringify(profile));
    process.stdout.write(
      `${result.rps.toFixed(0)} req/s at concurrency ${concurrency} (${result.non2xx} non-2xx, ${result.socketErrors} socket errors), p50 ${result.p50.toFixed(2)} ms\n` +
        `gateway isolate, self time by function (profile in gateway.cpuprofile):\n${selfTimes(profile).join('\n')}\n`,
    );
  } finally {
    client.child.kill();
    await gateway.stop();
    origin.close();
  }
}

await main();
