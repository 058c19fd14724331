/**
 * Private files are regular files read through a checked descriptor, and a
 * private path is refused when a folder above it could let another user
 * replace it (writable by others without the sticky bit, or foreign-owned).
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readTokenFile } from '../../../../client/cli/tokens';
import { checkControlSocket } from '../../../../client/control/paths';
import { loadOrCreateSecrets } from '../../../../client/dev/secrets';
import {
  checkPrivate,
  ensurePrivateFolder,
  readPrivateFile,
  UnsafePathError,
  writePrivateFile,
} from '../../../../client/local/private-path';

const asRoot = process.getuid?.() === 0;
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'porthole-private-'));
  dirs.push(dir);
  return dir;
}
function fifo(path: string): string {
  execFileSync('mkfifo', ['-m', '600', path]);
  return path;
}

describe('private files are regular files', () => {
  it('refuses a FIFO as a token file, dev.vars or a file to write, without blocking', () => {
    const dir = temp();
    expect(() => readTokenFile(fifo(join(dir, 'token')))).toThrow(/not a regular file/);
    expect(() => loadOrCreateSecrets(fifo(join(dir, 'dev.vars')))).toThrow(UnsafePathError);
    expect(() => writePrivateFile(fifo(join(dir, 'session.json')), '{}')).toThrow(UnsafePathError);
  });

  it('reads and writes a private file through its descriptor, 0600 after every write', () => {
    const path = join(temp(), 'session.json');
    expect(readPrivateFile(path)).toBeNull();
    writePrivateFile(path, 'a longer first text\n');
    writePrivateFile(path, 'second\n');
    expect(readPrivateFile(path)).toBe('second\n');
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses a symbolic link to a private file, for reading and writing, leaving the target untouched', () => {
    const dir = temp();
    writeFileSync(join(dir, 'real'), 'kept\n', { mode: 0o600 });
    symlinkSync(join(dir, 'real'), join(dir, 'link'));
    expect(() => readPrivateFile(join(dir, 'link'))).toThrow(/symbolic link/);
    expect(() => writePrivateFile(join(dir, 'link'), 'x')).toThrow(/symbolic link/);
    expect(readFileSync(join(dir, 'real'), 'utf8')).toBe('kept\n');
  });

  it('refuses an existing world-readable file untouched', () => {
    const path = join(temp(), 'dev.vars');
    writeFileSync(path, 'ADMIN_TOKEN=leaked\n');
    chmodSync(path, 0o644);
    expect(() => writePrivateFile(path, 'x')).toThrow(`chmod 600 ${path}`);
    expect(readFileSync(path, 'utf8')).toBe('ADMIN_TOKEN=leaked\n');
  });
});

describe('the folders above a private path', () => {
  it('refuses a group-writable folder above, naming it and the fix', () => {
    const shared = join(temp(), 'shared');
    mkdirSync(join(shared, 'deep'), { recursive: true });
    chmodSync(shared, 0o770);
    const state = join(shared, 'deep', 'porthole');
    expect(() => ensurePrivateFolder(state)).toThrow(
      `refusing ${state}: other users may write the folder ${shared} above it (mode 770, not sticky)`,
    );
    expect(() => ensurePrivateFolder(state)).toThrow(`chmod go-w ${shared}`);
  });

  it('accepts a sticky folder others may write (as /tmp), and creates what is missing 0700', () => {
    const sticky = join(temp(), 'sticky');
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777);
    ensurePrivateFolder(join(sticky, 'a', 'porthole'));
    expect(statSync(join(sticky, 'a')).mode & 0o777).toBe(0o700);
    expect(statSync(join(sticky, 'a', 'porthole')).mode & 0o777).toBe(0o700);
  });

  it('refuses a token file, and a control socket folder, in a folder others may write', () => {
    const shared = join(temp(), 'shared');
    mkdirSync(join(shared, 'porthole'), { recursive: true, mode: 0o700 });
    chmodSync(shared, 0o777);
    writeFileSync(join(shared, 'token'), 'abc\n', { mode: 0o600 });
    expect(() => readTokenFile(join(shared, 'token'))).toThrow(/other users may write the folder/);
    expect(() => checkControlSocket(join(shared, 'porthole', 'control.sock'))).toThrow(
      /other users may write the folder/,
    );
  });

  it('follows links above: a private-looking path whose real folder others may write is refused', () => {
    const dir = temp();
    mkdirSync(join(dir, 'shared'));
    chmodSync(join(dir, 'shared'), 0o777);
    symlinkSync(join(dir, 'shared'), join(dir, 'home'));
    expect(() => checkPrivate(join(dir, 'home', 'token'), 'file')).toThrow(`the folder ${join(dir, 'shared')}`);
  });

  it.skipIf(!asRoot)('refuses a folder above owned by another user (not root)', () => {
    const theirs = join(temp(), 'theirs');
    mkdirSync(theirs, { mode: 0o755 });
    chownSync(theirs, 65534, 65534);
    expect(() => ensurePrivateFolder(join(theirs, 'porthole'))).toThrow(/above it is owned by uid 65534/);
  });
});
