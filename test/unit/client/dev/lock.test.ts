/** One `porthole dev` per state folder: the second is told which process holds it. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockState, StaleTakeoverError, StateLockedError } from '../../../../client/dev/lock';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'porthole-lock-'));
  dirs.push(dir);
  return dir;
}

describe('lockState', () => {
  it('refuses a second holder, naming the pid, until the first releases', () => {
    const dir = temp();
    const release = lockState(dir);
    expect(statSync(join(dir, 'dev.lock')).mode & 0o777).toBe(0o600);
    expect(() => lockState(dir)).toThrow(StateLockedError);
    expect(() => lockState(dir)).toThrow(`pid ${process.pid}`);
    release();
    expect(existsSync(join(dir, 'dev.lock'))).toBe(false);
    lockState(dir)();
  });

  it('refuses a lock held by another live process', () => {
    const dir = temp();
    writeFileSync(join(dir, 'dev.lock'), `${process.ppid}\n`);
    expect(() => lockState(dir)).toThrow(`pid ${process.ppid}`);
  });

  it('takes over a lock whose process is gone, or that holds no pid', () => {
    const dir = temp();
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(join(dir, 'dev.lock'), `${dead}\n`);
    const release = lockState(dir);
    release();
    writeFileSync(join(dir, 'dev.lock'), 'garbage');
    lockState(dir)();
    writeFileSync(join(dir, 'dev.lock'), ''); // As an older porthole left it when killed at once.
    lockState(dir)();
    expect(readdirSync(dir), 'no temporary file left behind').toEqual([]);
  });

  it('leaves a takeover in progress alone, and refuses (naming the file) one whose taker died', () => {
    const dir = temp();
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    writeFileSync(join(dir, 'dev.lock'), `${dead}\n`);
    writeFileSync(join(dir, 'dev.lock.takeover'), `${process.ppid}\n`);
    expect(() => lockState(dir)).toThrow(`pid ${process.ppid}`);
    writeFileSync(join(dir, 'dev.lock.takeover'), `${dead}\n`);
    expect(() => lockState(dir)).toThrow(StaleTakeoverError);
    expect(() => lockState(dir)).toThrow(`rm ${join(dir, 'dev.lock.takeover')}`);
    rmSync(join(dir, 'dev.lock.takeover'));
    lockState(dir)();
    expect(readdirSync(dir)).toEqual([]);
  });

  // Pids are reused (a container's entrypoint is pid 1 on every start): a holder is its pid, start time and boot.
  const linux = existsSync('/proc/sys/kernel/random/boot_id');
  /** `pid`'s start time, read here as the kernel documents it: field 22 of /proc/<pid>/stat, after the name. */
  const startOf = (pid: number) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[19] as string;
  };
  const boot = () => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

  it.runIf(linux)('writes its start time and boot id beside its pid', () => {
    const dir = temp();
    const release = lockState(dir);
    expect(readFileSync(join(dir, 'dev.lock'), 'utf8')).toBe(`${process.pid} ${startOf(process.pid)} ${boot()}\n`);
    release();
  });

  it.runIf(linux)('refuses a live holder, but takes over a live pid with another start time or boot id', () => {
    const dir = temp();
    const ppid = process.ppid;
    writeFileSync(join(dir, 'dev.lock'), `${ppid} ${startOf(ppid)} ${boot()}\n`);
    expect(() => lockState(dir)).toThrow(`pid ${ppid}`);
    writeFileSync(join(dir, 'dev.lock'), `${ppid} ${Number(startOf(ppid)) + 1} ${boot()}\n`);
    lockState(dir)();
    writeFileSync(join(dir, 'dev.lock'), `${ppid} ${startOf(ppid)} 00000000-0000-0000-0000-000000000000\n`);
    lockState(dir)();
    expect(readdirSync(dir)).toEqual([]);
  });

  it.runIf(linux)('refuses, naming the file, a takeover marker whose pid lives on in another process', () => {
    const dir = temp();
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    const ppid = process.ppid;
    writeFileSync(join(dir, 'dev.lock'), `${dead}\n`);
    writeFileSync(join(dir, 'dev.lock.takeover'), `${ppid} ${startOf(ppid)} ${boot()}\n`);
    expect(() => lockState(dir)).toThrow(`pid ${ppid}`);
    writeFileSync(join(dir, 'dev.lock.takeover'), `${ppid} ${Number(startOf(ppid)) + 1} ${boot()}\n`);
    expect(() => lockState(dir)).toThrow(StaleTakeoverError);
  });
});
