/**
 * The control socket's folder and the socket itself are checked before use:
 * another local user who pre-created either could answer the CLI.
 */
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkControlSocket, defaultControlPath, prepareControlFolder } from '../../../../client/control/paths';

const asRoot = process.getuid?.() === 0;
const dirs: string[] = [];
const servers: Server[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function temp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'porthole-control-'));
  dirs.push(dir);
  return dir;
}

function listen(path: string): Promise<void> {
  const server = createServer();
  servers.push(server);
  return new Promise((resolve) => server.listen(path, resolve));
}

describe('defaultControlPath', () => {
  it('prefers $XDG_RUNTIME_DIR, else a per-user folder', () => {
    expect(defaultControlPath({ XDG_RUNTIME_DIR: '/run/user/7' })).toBe('/run/user/7/porthole/control.sock');
    expect(defaultControlPath({})).toMatch(/\/porthole-\d+\/control\.sock$/);
    expect(defaultControlPath({ PORTHOLE_CONTROL: '/x/c.sock' })).toBe('/x/c.sock');
  });

  it('ignores a relative $XDG_RUNTIME_DIR or $TMPDIR (XDG spec): never a socket in the current folder', () => {
    const tmp = process.env.TMPDIR;
    try {
      process.env.TMPDIR = 'tmp';
      expect(defaultControlPath({ XDG_RUNTIME_DIR: 'run' })).toMatch(/^\/tmp\/porthole-\d+\/control\.sock$/);
    } finally {
      if (tmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = tmp;
    }
  });
});

describe('prepareControlFolder (every client start)', () => {
  it('creates a missing folder 0700 and accepts a good one', () => {
    const socket = join(temp(), 'porthole', 'control.sock');
    prepareControlFolder(socket);
    prepareControlFolder(socket);
  });

  it('refuses a folder others may enter (0755), saying the fix', () => {
    const folder = join(temp(), 'porthole');
    mkdirSync(folder, { mode: 0o700 });
    chmodSync(folder, 0o755);
    expect(() => prepareControlFolder(join(folder, 'control.sock'))).toThrow(`chmod 700 ${folder}`);
  });

  it('refuses a symlinked folder, even to a private one', () => {
    const dir = temp();
    mkdirSync(join(dir, 'real'), { mode: 0o700 });
    symlinkSync(join(dir, 'real'), join(dir, 'porthole'));
    expect(() => prepareControlFolder(join(dir, 'porthole', 'control.sock'))).toThrow(/symbolic link/);
  });

  it.skipIf(!asRoot)('refuses a folder another user owns (even 0700)', () => {
    const folder = join(temp(), 'porthole');
    mkdirSync(folder, { mode: 0o700 });
    chownSync(folder, 65534, 65534);
    expect(() => prepareControlFolder(join(folder, 'control.sock'))).toThrow(/owned by uid 65534/);
  });
});

describe('checkControlSocket (every CLI use)', () => {
  it('accepts a missing socket (reported as no client) and one of its own', async () => {
    const folder = temp();
    checkControlSocket(join(folder, 'control.sock'));
    await listen(join(folder, 'control.sock'));
    checkControlSocket(join(folder, 'control.sock'));
  });

  it('refuses a folder others may enter, and a non-socket', () => {
    const folder = temp();
    writeFileSync(join(folder, 'control.sock'), '');
    expect(() => checkControlSocket(join(folder, 'control.sock'))).toThrow(/not a socket/);
    chmodSync(folder, 0o777);
    expect(() => checkControlSocket(join(folder, 'control.sock'))).toThrow(/chmod 700/);
  });

  it.skipIf(!asRoot)('refuses a socket another user owns', async () => {
    const socket = join(temp(), 'control.sock');
    await listen(socket);
    chownSync(socket, 65534, 65534);
    expect(() => checkControlSocket(socket)).toThrow(/owned by uid 65534/);
  });
});
