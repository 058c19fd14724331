/**
 * Files and folders only this user may read: secrets (dev.vars), the state
 * folder and its storage, session.json, token files, the control socket's
 * folder. Another local user who could read one would hold the gateway's
 * keys; one who owns or can write one (or a folder above it) can answer the
 * CLI in the client's place. So an existing path is checked before use and
 * refused, never repaired silently: a world-readable secret has leaked already.
 *
 * A private file must be a regular file: a FIFO (or socket, device) named as
 * a token file would block the read forever. Files are opened without
 * following a link and without blocking, and the checks are made on the open
 * descriptor (fstat), so what is checked is what is read or written.
 */
import {
  chmodSync,
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  ftruncateSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  type Stats,
  writeFileSync,
} from 'node:fs';
import { checkAncestors } from './ancestors';
import { UnsafePathError } from './errors';

export { UnsafePathError } from './errors';

/** The effective uid, or null where there is none (Windows): ownership is not checked there. */
function uid(): number | null {
  return process.getuid?.() ?? null;
}

/** Throw UnsafePathError (saying the fix) unless `stat` is a private `kind` of this user: the checks of checkPrivate. */
function checkStat(path: string, stat: Stats, kind: 'file' | 'folder'): void {
  if (stat.isSymbolicLink()) {
    throw new UnsafePathError(`refusing ${path}: it is a symbolic link; remove it (${kind}s are created in place)`);
  }
  if (kind === 'folder' ? !stat.isDirectory() : !stat.isFile()) {
    const what = kind === 'file' ? 'regular file (a FIFO, socket or device cannot hold a secret)' : 'folder';
    throw new UnsafePathError(`refusing ${path}: not a ${what}; remove it`);
  }
  const me = uid();
  if (me !== null && stat.uid !== me) {
    throw new UnsafePathError(`refusing ${path}: owned by uid ${stat.uid}, not by you (uid ${me}); remove it`);
  }
  if (me !== null && (stat.mode & 0o077) !== 0) {
    const mode = kind === 'folder' ? '700' : '600';
    throw new UnsafePathError(
      `refusing ${path}: other users may access it (mode ${(stat.mode & 0o777).toString(8)}); fix with: chmod ${mode} ${path}`,
    );
  }
}

/** Check the folders above `path` (ancestors.ts): owned by this user or root, not writable by others unless sticky. */
function checkAbove(path: string): void {
  const me = uid();
  if (me !== null) checkAncestors(path, me);
}

/**
 * Check that `path` (not followed if a link) is a private `kind` of this user:
 * not a symlink, a regular file or a folder as asked, owned by the current
 * uid, no group or other permission bits, and every folder above it safe.
 * Returns false when it does not exist; throws UnsafePathError (saying the
 * path and the fix) when it is unsafe.
 */
export function checkPrivate(path: string, kind: 'file' | 'folder'): boolean {
  checkAbove(path);
  let stat;
  try {
    stat = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  checkStat(path, stat, kind);
  return true;
}

/** Create the folder `path` (and its parents) 0700 when missing, then check it and the folders above; throws UnsafePathError. */
export function ensurePrivateFolder(path: string): void {
  if (checkPrivate(path, 'folder')) return;
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700); // mkdir's mode passes through the umask: set it exactly.
  checkPrivate(path, 'folder');
}

/** No link followed, never blocking (a FIFO opens at once, then fails the regular-file check). */
const SAFE_OPEN = (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

/**
 * Open `path` with `flags` plus SAFE_OPEN; null when missing. When it cannot
 * be opened (a link: ELOOP; a FIFO without a reader: ENXIO), what is there is
 * refused as checkStat would, else the error is thrown as it came.
 */
function openPrivate(path: string, flags: number, mode?: number): number | null {
  try {
    return openSync(path, flags | SAFE_OPEN, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      throw error;
    }
    checkStat(path, stat, 'file');
    throw error;
  }
}

/**
 * The text (UTF-8) of the private file `path`, or null when it does not
 * exist. Checked as checkPrivate does, on the descriptor it reads; throws
 * UnsafePathError when unsafe (a FIFO included: it is refused, not waited on).
 */
export function readPrivateFile(path: string): string | null {
  checkAbove(path);
  const fd = openPrivate(path, constants.O_RDONLY);
  if (fd === null) return null;
  try {
    checkStat(path, fstatSync(fd), 'file');
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Write `text` to the file `path`, owner-only (0600) after every write: the
 * mode given at creation passes through the umask and applies only then. An
 * existing file is checked first (on the descriptor) and refused
 * (UnsafePathError), untouched, if unsafe.
 */
export function writePrivateFile(path: string, text: string): void {
  checkAbove(path);
  const fd = openPrivate(path, constants.O_WRONLY | constants.O_CREAT, 0o600);
  if (fd === null) throw new Error(`${path}: its folder is missing`);
  try {
    checkStat(path, fstatSync(fd), 'file');
    ftruncateSync(fd);
    writeFileSync(fd, text);
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
}
