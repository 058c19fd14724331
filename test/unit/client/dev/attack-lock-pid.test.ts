/**
 * ATTACK (issue 13 item 4, the state lock as merged): the lock names its holder by pid alone, and a
 * live pid counts as a live holder. Pids are reused: after a reboot, and always in a container,
 * where `porthole dev` as the entrypoint is pid 1 every time. A dev killed there (`docker kill`,
 * OOM) leaves `dev.lock` holding `1`; on restart, with the state folder on a volume, the new dev is
 * pid 1 again, finds its own pid alive and refuses forever: "another porthole dev (pid 1) is using
 * this state folder", naming itself. Any unrelated process that got the old pid does the same.
 * Reproduced here with a pid namespace per run (unshare -p, as a container does; needs root).
 * Fix: record what identifies the process beyond its pid (its start time, /proc/<pid>/stat field
 * 22, with the boot id) and treat a lock whose pid is alive with another start time as stale.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const canUnshare =
  process.platform === 'linux' && spawnSync('unshare', ['-p', '-f', '--mount-proc', 'true']).status === 0;

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'porthole-lockpid-'));
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

/** Run a `porthole dev` stand-in as pid 1 of a new pid namespace: it takes the lock and dies holding it. */
function devInContainer(state: string): string {
  const script =
    `try { require(${JSON.stringify(join(dir, 'lock.cjs'))}).lockState(${JSON.stringify(state)}); ` +
    `console.log('held as pid ' + process.pid); } catch (e) { console.log(e.message); } process.exit(0);`;
  const run = spawnSync('unshare', ['-p', '-f', '--mount-proc', process.execPath, '-e', script], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  return run.stdout.trim();
}

describe('ATTACK: a dead dev lock whose pid is alive again', () => {
  it.runIf(canUnshare)('a dev restarted in its container (pid 1 again) takes over its dead predecessor’s lock', () => {
    const state = mkdtempSync(join(dir, 'state-'));
    expect(devInContainer(state)).toBe('held as pid 1'); // Killed holding it: dev.lock stays.
    // Pid 1, with its start time and boot id: what tells it from the next pid 1.
    expect(readFileSync(join(state, 'dev.lock'), 'utf8').trim()).toMatch(/^1 [0-9]+ [0-9a-f-]{36}$/);
    expect(devInContainer(state), 'the restarted dev must not refuse naming itself').toBe('held as pid 1');
  });
});
