/** Socket owners from a fake /proc: inode → fd link → process name, with Node's thread-named comm. */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findOwners } from '../../../../client/ports/owners';

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A process in the fake /proc holding socket `inode` on fd 3. */
function proc(pid: number, inode: number, comm: string | null, cmdline?: string[]): void {
  mkdirSync(join(root, String(pid), 'fd'), { recursive: true });
  symlinkSync(`socket:[${inode}]`, join(root, String(pid), 'fd', '3'));
  if (comm !== null) writeFileSync(join(root, String(pid), 'comm'), `${comm}\n`);
  if (cmdline) writeFileSync(join(root, String(pid), 'cmdline'), `${cmdline.join('\0')}\0`);
}

describe('findOwners', () => {
  it.each([
    ['a plain comm', 'python3', ['python3', '-m', 'http.server'], 'python3'],
    ["Node 24's main-thread name", 'MainThread', ['/usr/local/bin/node', 'server.js'], 'node'],
    ["Node 26's main-thread name", 'node-MainThread', ['/opt/node/bin/node', 'vite.js'], 'node'],
    ['a thread name with no command line', 'node-MainThread', [''], 'node-MainThread'],
    ['comm kept even when argv[0] differs', 'sshd', ['sshd: /usr/sbin/sshd -D [listener]'], 'sshd'],
  ])('names the owner from %s', (_what, comm, cmdline, name) => {
    root = mkdtempSync(join(tmpdir(), 'porthole-proc-'));
    proc(4242, 777, comm, cmdline);
    expect(findOwners(new Set([777]), root).get(777)).toEqual({ pid: 4242, name });
  });

  it('leaves out inodes no readable process holds, and says pid <n> when comm is gone', () => {
    root = mkdtempSync(join(tmpdir(), 'porthole-proc-'));
    proc(10, 1, null);
    const owners = findOwners(new Set([1, 2]), root);
    expect(owners.get(1)).toEqual({ pid: 10, name: 'pid 10' });
    expect(owners.has(2)).toBe(false);
  });
});
