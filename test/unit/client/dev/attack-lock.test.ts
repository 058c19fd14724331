/**
 * ATTACK (issue 13 item 4, the state lock as merged): two `porthole dev` started at the same
 * moment can both hold the lock. The lock file is created (`wx`) and only then gets its pid; a
 * second process that finds it in between reads no pid, takes it for a dead holder's, removes it
 * and creates its own. Measured: 5 rounds in 60 with three processes released at once ended with
 * two holders; threads released together on a barrier: 356 rounds in 2000. This test fails until
 * the pid is in the file the moment it exists (write a temporary file, then link(2) it into
 * place; sketched, not committed: it then passes, as do the lock tests) or a fresh empty lock is
 * not taken over.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'porthole-lockrace-'));
  await build({
    entryPoints: [join(__dirname, '../../../../client/dev/lock.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: join(dir, 'lock.cjs'),
    logLevel: 'error',
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A racer thread, one of \`n\`, for \`rounds\` rounds: each round, once all threads have arrived
 * (a shared counter; the last one opens the gate), it tries to take that round's lock for 2 ms
 * as fast as it can (a held lock throws) and records whether it got it.
 */
const RACER = `
const { parentPort, workerData } = require('node:worker_threads');
const { lockState } = require(workerData.lock);
const { n, index, states } = workerData;
const ctl = new Int32Array(workerData.ctl);
const got = new Int32Array(workerData.got);
for (let r = 0; r < states.length; r++) {
  if (Atomics.add(ctl, 1 + r, 1) + 1 === n) {
    Atomics.store(ctl, 0, r + 1);
    Atomics.notify(ctl, 0);
  } else {
    while (Atomics.load(ctl, 0) < r + 1) Atomics.wait(ctl, 0, r, 1000);
  }
  const until = Date.now() + 2;
  while (Date.now() < until) {
    try { lockState(states[r]); got[r * n + index] = 1; break; } catch {}
  }
}
parentPort.postMessage('done');
`;

/**
 * \`rounds\` rounds of \`n\` threads released at once, each on a fresh state folder (holding
 * \`lock\` as dev.lock when given); how many rounds had two holders.
 */
async function race(n: number, rounds: number, lock?: string): Promise<number> {
  const states = Array.from({ length: rounds }, () => {
    const state = mkdtempSync(join(dir, 'state-'));
    if (lock !== undefined) writeFileSync(join(state, 'dev.lock'), lock);
    return state;
  });
  const ctl = new SharedArrayBuffer(4 * (1 + rounds));
  const got = new SharedArrayBuffer(4 * n * rounds);
  const racers = Array.from(
    { length: n },
    (_, index) =>
      new Worker(RACER, { eval: true, workerData: { lock: join(dir, 'lock.cjs'), n, index, states, ctl, got } }),
  );
  await Promise.all(
    racers.map(
      (racer) =>
        new Promise((resolve, reject) => {
          racer.once('message', resolve);
          racer.once('error', reject);
        }),
    ),
  );
  await Promise.all(racers.map((racer) => racer.terminate()));
  const holders = new Int32Array(got);
  let doubled = 0;
  for (let r = 0; r < rounds; r++) {
    let count = 0;
    for (let i = 0; i < n; i++) count += holders[r * n + i] as number;
    if (count > 1) doubled++;
  }
  return doubled;
}

describe('ATTACK: two porthole dev started at once on one state folder', () => {
  it('never both hold the lock (2000 rounds of four threads released together)', async () => {
    expect(await race(4, 2000), 'rounds in which two holders took the lock at once').toBe(0);
  }, 60_000);

  it("never both take over a dead holder's lock (500 rounds of four threads released together)", async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    expect(await race(4, 500, `${dead}\n`), 'rounds in which two takers took the lock at once').toBe(0);
  }, 60_000);
});
