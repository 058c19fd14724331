/**
 * The baselines, started once for the whole run beside Porthole, against the same origin:
 * direct to the origin; Worker → Durable Object that answers itself and the bare pass-through
 * Worker, each on Miniflare (served on its direct socket, as the gateway's Worker is: no entry
 * worker) and on workerd run directly from a generated config (workerd.ts). Same workerd binary,
 * compatibility date and flags as the gateway. Listed in the order ratios are printed in.
 */
import type { Miniflare } from 'miniflare';
import { startFront } from '../client/dev/front';
import { COMPATIBILITY_DATE, COMPATIBILITY_FLAGS } from '../client/dev/gateway';
import { BASELINE_WORKER } from './baseline-worker';
import type { Target } from './load';
import { descendantsNamed } from './procs';
import { startDirectWorkerd } from './workerd';

export interface Baselines {
  /** Worker → DO behind the front, on Miniflare, on workerd directly; bare Worker on each; direct. */
  targets: { name: string; target: Target }[];
  /** workerd processes of the baselines (for CPU figures). */
  pids: number[];
  stop(): Promise<void>;
}

const at = (port: number, path = '/small'): Target => ({ port, host: `127.0.0.1:${port}`, path });

async function onMiniflare(mode: 'bare' | 'do', originPort: number, proxy = false): Promise<Miniflare> {
  // Loaded on demand: the bench's child processes (load generator, transfers) never need it.
  const { Miniflare } = await import('miniflare');
  const miniflare = new Miniflare({
    modules: true,
    script: BASELINE_WORKER,
    compatibilityDate: COMPATIBILITY_DATE,
    compatibilityFlags: COMPATIBILITY_FLAGS,
    bindings: { MODE: mode, ORIGIN: `http://127.0.0.1:${originPort}` },
    ...(mode === 'do' ? { durableObjects: { ECHO: 'Echo' } } : {}),
    host: '127.0.0.1',
    port: 0,
    cf: false,
    // Behind the front: proxy style, as the gateway's (the front sends absolute targets, which a plain
    // socket refuses, and origin-form ones are refused in proxy style).
    unsafeDirectSockets: [{ host: '127.0.0.1', port: 0, proxy }],
  });
  await miniflare.ready;
  return miniflare;
}

export async function startBaselines(originPort: number): Promise<Baselines> {
  const before = new Set(descendantsNamed(process.pid, 'workerd'));
  const doMf = await onMiniflare('do', originPort);
  const bareMf = await onMiniflare('bare', originPort);
  const frontedMf = await onMiniflare('do', originPort, true);
  const direct = await startDirectWorkerd(originPort);
  const port = async (mf: Miniflare) => Number((await mf.unsafeGetDirectURL()).port);
  const front = await startFront({ upstream: { host: '127.0.0.1', port: await port(frontedMf) } });
  return {
    targets: [
      { name: 'Worker→DO (front + Miniflare)', target: at(front.port) },
      { name: 'Worker→DO (Miniflare)', target: at(await port(doMf)) },
      { name: 'Worker→DO (workerd)', target: at(direct.doPort) },
      { name: 'bare Worker (Miniflare)', target: at(await port(bareMf)) },
      { name: 'bare Worker (workerd)', target: at(direct.barePort) },
      { name: 'direct', target: at(originPort) },
    ],
    pids: descendantsNamed(process.pid, 'workerd').filter((p) => !before.has(p)),
    async stop() {
      direct.stop();
      await front.close();
      await Promise.all([doMf.dispose(), bareMf.dispose(), frontedMf.dispose()]);
    },
  };
}
