/**
 * ATTACK (issue 16): a process names itself (prctl PR_SET_NAME, or its argv[0]) and the client shows
 * that name in the live table on the owner's terminal, and announces it to the gateway. A name
 * carrying terminal escapes (clear the screen, set the title, write the clipboard with OSC 52) or
 * direction controls must reach neither as such: it is cleaned like the gateway cleans it
 * (protocol/process-name.ts), and at most 64 characters of an argv[0] are kept.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findOwners } from '../../../../client/ports/owners';

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

function proc(pid: number, inode: number, comm: string, cmdline?: string[]): void {
  mkdirSync(join(root, String(pid), 'fd'), { recursive: true });
  symlinkSync(`socket:[${inode}]`, join(root, String(pid), 'fd', '3'));
  writeFileSync(join(root, String(pid), 'comm'), `${comm}\n`);
  if (cmdline) writeFileSync(join(root, String(pid), 'cmdline'), `${cmdline.join('\0')}\0`);
}

describe('ATTACK: process names with terminal escapes', () => {
  it.each([
    ['an OSC 52 clipboard write in comm', '\u001b]52;c;YQ==\u0007', undefined, ']52;c;YQ=='],
    ['a screen clear in comm', 'x\u001b[2J', undefined, 'x[2J'],
    ['a right-to-left override in comm', 'vim\u202Egpj', undefined, 'vimgpj'],
    ['only escapes in comm', '\u001b\u0007', undefined, 'pid 4242'],
    [
      'escapes in the argv[0] of a thread-named process',
      'MainThread',
      ['/opt/\u001b]0;owned\u0007node'],
      ']0;ownednode',
    ],
    ['a long argv[0]', 'MainThread', [`/bin/${'n'.repeat(5000)}`], 'n'.repeat(64)],
  ])('cleans %s', (_what, comm, cmdline, name) => {
    root = mkdtempSync(join(tmpdir(), 'porthole-proc-'));
    proc(4242, 777, comm, cmdline);
    expect(findOwners(new Set([777]), root).get(777)).toEqual({ pid: 4242, name });
  });
});
