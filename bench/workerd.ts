/**
 * The baselines on workerd run directly (no Miniflare: no entry worker, no outbound-fetch worker),
 * from a generated text config: the Worker of baseline-worker.ts twice, as "bare" (pass-through to
 * the origin) and "do" (Worker → Durable Object, in-memory storage), one socket each, in one
 * workerd process with the gateway's compatibility date and flags.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { COMPATIBILITY_DATE, COMPATIBILITY_FLAGS } from '../client/dev/gateway';
import { BASELINE_WORKER } from './baseline-worker';

export interface DirectWorkerd {
  barePort: number;
  doPort: number;
  pid: number;
  stop(): void;
}

/** The workerd binary Miniflare uses (the same version as the gateway's). */
function workerdBinary(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@cloudflare/workerd-linux-64/package.json')), 'bin', 'workerd');
}

function worker(mode: 'bare' | 'do', originPort: number): string {
  const flags = COMPATIBILITY_FLAGS.map((f) => JSON.stringify(f)).join(', ');
  const objects =
    mode === 'do'
      ? `(name = "ECHO", durableObjectNamespace = "Echo")],
      durableObjectNamespaces = [(className = "Echo", uniqueKey = "porthole-bench-echo")],
      durableObjectStorage = (inMemory = void),`
      : '],';
  return `(
      modules = [(name = "worker.js", esModule = embed "worker.js")],
      compatibilityDate = "${COMPATIBILITY_DATE}",
      compatibilityFlags = [${flags}],
      bindings = [(name = "MODE", text = "${mode}"), (name = "ORIGIN", text = "http://127.0.0.1:${originPort}"),
      ${objects}
    )`;
}

export function configText(originPort: number): string {
  return `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "bare", worker = ${worker('bare', originPort)}),
    (name = "do", worker = ${worker('do', originPort)}),
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [
    (name = "bare", address = "127.0.0.1:0", http = (), service = "bare"),
    (name = "do", address = "127.0.0.1:0", http = (), service = "do"),
  ],
);
`;
}

/** Start workerd on a generated config; resolves once both sockets listen (reported on fd 3). */
export async function startDirectWorkerd(originPort: number, timeoutMs = 20_000): Promise<DirectWorkerd> {
  const folder = mkdtempSync(join(tmpdir(), 'porthole-bench-workerd-'));
  writeFileSync(join(folder, 'worker.js'), BASELINE_WORKER);
  writeFileSync(join(folder, 'config.capnp'), configText(originPort));
  const child = spawn(workerdBinary(), ['serve', join(folder, 'config.capnp'), '--control-fd=3'], {
    stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
  });
  // Not a child Miniflare watches: if the bench dies, this process must go with it.
  const onExit = () => child.kill();
  process.once('exit', onExit);
  const stop = () => {
    process.off('exit', onExit);
    child.kill();
    rmSync(folder, { recursive: true, force: true });
  };
  const ports = new Map<string, number>();
  const control = createInterface({ input: child.stdio[3] as NodeJS.ReadableStream });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('workerd did not listen in time')), timeoutMs);
      child.once('exit', (code) => reject(new Error(`workerd exited with ${code}`)));
      control.on('line', (line) => {
        const message = JSON.parse(line) as { event: string; socket?: string; port?: number };
        if (message.event === 'listen' && message.socket && message.port) ports.set(message.socket, message.port);
        if (ports.has('bare') && ports.has('do')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } catch (error) {
    stop();
    throw error;
  }
  return { barePort: ports.get('bare') as number, doPort: ports.get('do') as number, pid: child.pid ?? 0, stop };
}
