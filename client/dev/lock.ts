/**
 * One `porthole dev` per state folder: two would both start and overwrite
 * each other's session and port view. The lock is the file `dev.lock` naming
 * the process that took it: its pid, start time and boot id
 * (process-identity.ts), as pids are reused. It never exists half-written:
 * the holder goes into a temporary file first, which link(2) puts in place
 * atomically (EEXIST: held), so a second dev started at the same moment always
 * reads a holder, never an empty file it would take for a dead holder's.
 *
 * A lock whose process is gone (killed before it could remove the file; its
 * pid dead, or alive with another start time or boot id), or that names no
 * pid, is taken over, one taker at a time: a taker first links
 * `dev.lock.takeover` (exclusive, naming the taker the same way), checks
 * again that the lock is still stale, and renames its own file over it. Only a takeover replaces a
 * lock, and only a stale one, so two takers can never both hold it. A taker
 * killed inside that step (microseconds) leaves `dev.lock.takeover` behind:
 * then every later dev refuses, naming the file to remove, rather than guess.
 */
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  linkSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { format, type Holder, parse, running, same, self } from './process-identity';

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

/** A taker died while taking over a stale lock; its marker must be removed by hand. */
export class StaleTakeoverError extends Error {
  readonly code = 'state_lock_takeover_stale';
  constructor(readonly path: string) {
    super(`${path} was left by a porthole dev that died while taking over the lock; remove it (rm ${path})`);
    this.name = 'StaleTakeoverError';
  }
}

/** The holder a lock file names (pid NaN when it names none), or null when the file is missing. */
function holder(path: string): Holder | null {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    if (!fstatSync(fd).isFile()) return { pid: Number.NaN };
    const buffer = Buffer.alloc(128);
    return parse(buffer.toString('utf8', 0, readSync(fd, buffer, 0, buffer.length, 0))) ?? { pid: Number.NaN };
  } finally {
    closeSync(fd);
  }
}

/** Whether a lock naming `named` (from holder) is stale: no pid in it, or its process is gone. */
function stale(named: Holder): boolean {
  return Number.isNaN(named.pid) || !running(named);
}

/** Link `from` to `to`; false when `to` exists already. */
function linked(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Replace the stale lock at `path` with `mine` (a file naming this process),
 * under the takeover marker. True when we hold the lock now; false when it
 * vanished meanwhile (try again). Throws StateLockedError when a live
 * process holds the lock or is taking it over, StaleTakeoverError when a dead
 * taker's marker is in the way.
 */
function takeOver(path: string, mine: string): boolean {
  const marker = `${path}.takeover`;
  if (!linked(mine, marker)) {
    const taker = holder(marker);
    if (taker === null) return false; // Finished meanwhile: the lock is someone's now, or gone.
    if (stale(taker)) throw new StaleTakeoverError(marker);
    throw new StateLockedError(path, taker.pid);
  }
  try {
    // Only a marker holder replaces a lock: what we read now stays until our rename.
    const named = holder(path);
    if (named === null) return false;
    if (!stale(named)) throw new StateLockedError(path, named.pid);
    renameSync(mine, path);
    return true;
  } finally {
    rmSync(marker, { force: true });
  }
}

/**
 * Take the lock `<stateDir>/dev.lock` (mode 0600) for this process. Returns
 * the function that releases it (removing the file only while it is still
 * ours). Throws StateLockedError naming the pid when a live process holds it
 * (or is taking it over), StaleTakeoverError when a takeover died half-way.
 */
export function lockState(stateDir: string): () => void {
  const path = join(stateDir, 'dev.lock');
  // Unique per process and thread: the pid alone is shared by worker threads.
  const mine = join(stateDir, `dev.lock.${process.pid}.${randomBytes(6).toString('hex')}`);
  const me = self();
  writeFileSync(mine, format(me), { mode: 0o600, flag: 'wx' });
  try {
    // Bounded: the lock can vanish between two looks only if its holder releases it each time.
    for (let attempt = 0; attempt < 5; attempt++) {
      if (linked(mine, path)) return release(path, me);
      const named = holder(path);
      if (named === null) continue; // Released meanwhile.
      if (!stale(named)) throw new StateLockedError(path, named.pid);
      if (takeOver(path, mine)) return release(path, me);
    }
    throw new StateLockedError(path, holder(path)?.pid ?? 0);
  } finally {
    rmSync(mine, { force: true }); // Gone already after a takeover (renamed into place).
  }
}

/** The release of a lock we hold: only a takeover replaces a lock, never a live holder's, so ours stays ours. */
function release(path: string, me: Holder): () => void {
  return () => {
    const named = holder(path);
    if (named !== null && same(named, me)) rmSync(path, { force: true });
  };
}
