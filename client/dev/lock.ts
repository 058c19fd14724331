/**
 * One `porthole dev` per state folder: two would both start and overwrite
 * each other's session and port view. The lock is a file holding the pid of
 * the process that took it, created exclusively; a lock whose process is gone
 * (it was killed before it could remove the file) is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Another live process holds the state folder's lock. */
export class StateLockedError extends Error {
  readonly code = 'state_locked';
  constructor(
    readonly path: string,
    readonly pid: number,
  ) {
    super(
      `another porthole dev (pid ${pid}) is using this state folder (lock ${path}); stop it, or pass --state-dir <dir>`,
    );
    this.name = 'StateLockedError';
  }
}

/** Whether a process with this pid exists (EPERM: it does, as another user's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid written in the lock file, or null when it is unreadable or not a pid. */
function holder(path: string): number | null {
  try {
    const pid = Number(readFileSync(path, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null; // Gone meanwhile, or half-written by a process that died: not a holder.
  }
}

/**
 * Take the lock `<stateDir>/dev.lock` (mode 0600) for this process. Returns
 * the function that releases it (removing the file only while it is still
 * ours). Throws StateLockedError naming the pid when a live process holds it.
 */
export function lockState(stateDir: string): () => void {
  const path = join(stateDir, 'dev.lock');
  // Bounded: one stale lock is removed, then the exclusive create decides.
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const pid = holder(path);
      if (pid !== null && alive(pid)) throw new StateLockedError(path, pid);
      rmSync(path, { force: true });
      continue;
    }
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
    return () => {
      if (holder(path) === process.pid) rmSync(path, { force: true });
    };
  }
  throw new StateLockedError(path, holder(path) ?? 0);
}
