/**
 * The parent's side of gateway-host.ts: start the local gateway in a child process and hold it.
 * The child gets its options on stdin (secrets never in argv or the environment of other commands)
 * and ends when its stdin closes, so it never outlives this process.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { GatewayOptions } from './gateway';

export interface GatewayProcess {
  /** Base URL of the control domain, as LocalGateway's. */
  url: string;
  port: number;
  /** Resolves with the exit code when the child ends, whoever ended it. */
  exited: Promise<number | null>;
  /** The child's exit code once it has ended (null: killed by a signal), undefined while it runs. */
  exitCode(): number | null | undefined;
  /** Ends the child (SIGTERM, then SIGKILL after `graceMs`, default 5 s); resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Spawns `node <hostScript>` and resolves once its gateway serves.
 * @throws Error with the child's own message when the gateway fails to start, or when the child
 *   exits or says nothing within `startMs` (default 60 s).
 */
export async function startGatewayProcess(
  hostScript: string,
  options: GatewayOptions,
  startMs = 60_000,
): Promise<GatewayProcess> {
  // A process group of its own: if the child dies without stopping its workerd (SIGKILL, a crash),
  // the group is killed with it, so no runtime is left serving. Ctrl-C reaches the child through us.
  const child = spawn(process.execPath, [hostScript], { stdio: ['pipe', 'pipe', 'inherit'], detached: true });
  const exited = once(child, 'exit').then(([code]) => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // The group is empty: the child stopped its runtime itself.
    }
    return code as number | null;
  });
  child.stdin.write(`${JSON.stringify(options)}\n`);
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the local gateway did not start within ${startMs / 1000} s`)),
      startMs,
    );
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the local gateway process exited (code ${code}) before it served`));
    });
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  const said = JSON.parse(first) as { url?: string; port?: number; error?: string };
  if (said.error !== undefined || said.url === undefined || said.port === undefined) {
    child.kill('SIGKILL');
    throw new Error(said.error ?? `the local gateway process said ${first}`);
  }
  return {
    url: said.url,
    port: said.port,
    exited,
    exitCode: () => (child.exitCode === null && child.signalCode === null ? undefined : child.exitCode),
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
