/**
 * Files and folders only this user may read: secrets (.dev.vars), the state
 * folder, the control socket's folder. Another local user who could read one
 * would hold the gateway's keys; one who owns or can write one can answer the
 * CLI in the client's place. So an existing path is checked before use and
 * refused, never repaired silently: a world-readable secret has leaked already.
 */
import { chmodSync, lstatSync, mkdirSync, writeFileSync } from 'node:fs';

/** A path this user must not trust: foreign-owned, readable or writable by others, or a symlink. */
export class UnsafePathError extends Error {
  readonly code = 'unsafe_path';
  constructor(message: string) {
    super(message);
    this.name = 'UnsafePathError';
  }
}

/** The effective uid, or null where there is none (Windows): ownership is not checked there. */
function uid(): number | null {
  return process.getuid?.() ?? null;
}

/**
 * Check that `path` (not followed if a link) is a private `kind` of this user:
 * not a symlink, owned by the current uid, no group or other permission bits.
 * Returns false when it does not exist; throws UnsafePathError (saying the path
 * and the fix) when it is unsafe.
 */
export function checkPrivate(path: string, kind: 'file' | 'folder'): boolean {
  let stat;
  try {
    stat = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  if (stat.isSymbolicLink()) {
    throw new UnsafePathError(`refusing ${path}: it is a symbolic link; remove it (${kind}s are created in place)`);
  }
  if (kind === 'folder' ? !stat.isDirectory() : stat.isDirectory()) {
    throw new UnsafePathError(`refusing ${path}: not a ${kind}`);
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
  return true;
}

/** Create the folder `path` (and its parents) 0700 when missing, then check it; throws UnsafePathError. */
export function ensurePrivateFolder(path: string): void {
  if (checkPrivate(path, 'folder')) return;
  mkdirSync(path, { recursive: true, mode: 0o700 });
  chmodSync(path, 0o700); // mkdir's mode passes through the umask: set it exactly.
  checkPrivate(path, 'folder');
}

/**
 * Write `text` to the file `path`, owner-only (0600) after every write: the
 * mode given to writeFileSync applies only when it creates the file. An
 * existing file is checked first and refused (UnsafePathError) if unsafe.
 */
export function writePrivateFile(path: string, text: string): void {
  checkPrivate(path, 'file');
  writeFileSync(path, text, { mode: 0o600 });
  chmodSync(path, 0o600);
}
