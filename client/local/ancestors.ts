/**
 * The folders above a private path. A private file or folder is only as safe
 * as the folders it sits in: another user who may write one of them (or owns
 * it) can rename ours away and put their own in its place, between our check
 * and our use or between two runs. So every folder above it must be owned by
 * this user or root, and not writable by group or others unless sticky (then
 * they may not rename what they do not own), as OpenSSH's StrictModes checks.
 */
import { realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UnsafePathError } from './errors';

const STICKY = 0o1000;

/** `dir` and every folder above it, from `dir` up to the root. */
function chain(dir: string): string[] {
  const dirs = [dir];
  for (let up = dirname(dir); up !== dirs[dirs.length - 1]; up = dirname(up)) dirs.push(up);
  return dirs;
}

/** The closest of `dir` and its parents that exists (the root at worst). */
function nearestExisting(dir: string): string {
  for (const candidate of chain(dir)) {
    try {
      statSync(candidate);
      return candidate;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return dir;
}

/**
 * Check every existing folder above `path` (resolved against the current
 * folder), both as written and with links resolved: owned by `me` or root,
 * and without group or other write permission unless it has the sticky bit.
 * Folders not there yet are skipped (they are created 0700 by this user).
 * Throws UnsafePathError saying which folder, why, and the fix.
 */
export function checkAncestors(path: string, me: number): void {
  const start = nearestExisting(dirname(resolve(path)));
  const dirs = new Set([...chain(realpathSync(start)), ...chain(start)]);
  for (const dir of dirs) {
    const stat = statSync(dir);
    if (stat.uid !== me && stat.uid !== 0) {
      throw new UnsafePathError(
        `refusing ${path}: the folder ${dir} above it is owned by uid ${stat.uid}, who could replace it; ` +
          `use a folder of your own (e.g. under your home)`,
      );
    }
    if ((stat.mode & 0o022) !== 0 && (stat.mode & STICKY) === 0) {
      throw new UnsafePathError(
        `refusing ${path}: other users may write the folder ${dir} above it ` +
          `(mode ${(stat.mode & 0o777).toString(8)}, not sticky) and could replace it; ` +
          `use a folder only you can write (e.g. under your home), or fix with: chmod go-w ${dir}`,
      );
    }
  }
}
