/**
 * The folders above a private path. A private file or folder is only as safe
 * as the folders it sits in: another user who may write one of them (or owns
 * it) can rename ours away and put their own in its place, between our check
 * and our use or between two runs. So every folder above it must be owned by
 * this user or root, and not writable by group or others unless sticky (then
 * they may not rename what they do not own), as OpenSSH's StrictModes checks.
 * The same goes for every symbolic link on the way: its owner may point it
 * elsewhere at any time, even in a sticky folder such as /tmp.
 */
import { lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { UnsafePathError } from './errors';

const STICKY = 0o1000;
/** Links followed on one path before giving up, as the kernel's ELOOP limit. */
const MAX_LINKS = 40;

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
 * Walk the existing absolute folder `dir` as written, one name at a time
 * (lstat), as the kernel resolves it: every link on the way must be owned by
 * `me` or root, then the walk goes on through its target. Returns every real
 * folder the walk passed through (those holding the links among them).
 * Throws UnsafePathError naming a foreign link (`path` is the one reported).
 */
function walk(dir: string, path: string, me: number): Set<string> {
  const passed = new Set<string>([sep]);
  const names = dir.split(sep);
  let at: string = sep;
  let links = 0;
  for (let name = names.shift(); name !== undefined; name = names.shift()) {
    if (name === '' || name === '.') continue;
    if (name === '..') {
      at = dirname(at);
      passed.add(at);
      continue;
    }
    const next = join(at, name);
    const stat = lstatSync(next);
    if (!stat.isSymbolicLink()) {
      at = next;
      passed.add(at);
      continue;
    }
    if (stat.uid !== me && stat.uid !== 0) {
      throw new UnsafePathError(
        `refusing ${path}: the link ${next} on the way to it is owned by uid ${stat.uid}, who could point it ` +
          `elsewhere; use the real path (${realpathSync(next)}) or a link of your own`,
      );
    }
    if (++links > MAX_LINKS) throw new UnsafePathError(`refusing ${path}: too many links on the way to it`);
    const target = readlinkSync(next);
    if (isAbsolute(target)) at = sep;
    names.unshift(...target.split(sep));
  }
  return passed;
}

/**
 * Check every existing folder above `path` (resolved against the current
 * folder), walked as written: owned by `me` or root, and without group or
 * other write permission unless it has the sticky bit; every link on the way
 * owned by `me` or root, and the folders its target passes through checked
 * the same way. Folders not there yet are skipped (they are created 0700 by
 * this user). Throws UnsafePathError saying which folder or link, why, and
 * the fix.
 */
export function checkAncestors(path: string, me: number): void {
  const start = nearestExisting(dirname(resolve(path)));
  const dirs = new Set([...walk(start, path, me), ...chain(realpathSync(start))]);
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
