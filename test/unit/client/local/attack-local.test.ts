/**
 * ATTACK (issue 13 item 4, local state as merged): what the private-path checks let through.
 * - A "file" is anything that is not a folder: a FIFO (or a socket, a device) named as a token
 *   file, `dev.vars` or `session.json` passes the check, and reading it blocks forever
 *   (`porthole connect --token-file <fifo>` hangs with no message) instead of a refusal.
 * - Only the last component is checked: a state folder created inside a folder that other users
 *   may write (not sticky) is accepted, though any of them can rename it away and put their own
 *   folder (with their own `state/` Durable Object storage, which is never checked) in its place
 *   between the check and workerd's start, or between two runs.
 * These tests fail until checkPrivate requires a regular file and ensurePrivateFolder refuses a
 * parent that others may write without the sticky bit (or not owned by this user or root).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkPrivate, ensurePrivateFolder, UnsafePathError } from '../../../../client/local/private-path';

describe('ATTACK: private paths that are not what they seem', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'porthole-atk-'));
    dirs.push(dir);
    return dir;
  };

  it('a FIFO named as a token file (or dev.vars) is refused, not opened (opening it blocks forever)', () => {
    const fifo = join(tempDir(), 'token');
    execFileSync('mkfifo', ['-m', '600', fifo]);
    expect(() => checkPrivate(fifo, 'file')).toThrow(UnsafePathError);
  });

  it('a state folder inside a folder others may write (not sticky) is refused', () => {
    const shared = join(tempDir(), 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777); // Anyone may rename or replace what is created in here.
    expect(() => ensurePrivateFolder(join(shared, 'porthole'))).toThrow(UnsafePathError);
  });
});
