import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';
import { build } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { absoluteHome, defaultStateDir, legacyStateIn, statePaths } from '../../../../client/local/state-dir';

describe('the state folder of porthole dev', () => {
  it('is $XDG_STATE_HOME/porthole, else ~/.local/state/porthole; never the current folder', () => {
    expect(defaultStateDir({ XDG_STATE_HOME: '/x/state' }, '/home/me')).toBe('/x/state/porthole');
    expect(defaultStateDir({}, '/home/me')).toBe('/home/me/.local/state/porthole');
    expect(defaultStateDir({ XDG_STATE_HOME: '' }, '/home/me')).toBe('/home/me/.local/state/porthole');
    // A relative XDG_STATE_HOME is ignored (XDG spec): it would land in the current folder.
    expect(defaultStateDir({ XDG_STATE_HOME: 'state' }, '/home/me')).toBe('/home/me/.local/state/porthole');
  });

  it('--state-dir is resolved against the current folder and holds the secrets too', () => {
    expect(statePaths('dev-state', {}, '/app')).toEqual({
      root: '/app/dev-state',
      secrets: '/app/dev-state/dev.vars',
      session: '/app/dev-state/session.json',
      persist: '/app/dev-state/state',
    });
    expect(statePaths(undefined, { XDG_STATE_HOME: '/s' }, '/app').secrets).toBe('/s/porthole/dev.vars');
  });

  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('finds the .dev.vars and .porthole/ an older version left, except the state folder in use', () => {
    const cwd = mkdtempSync(join(tmpdir(), 'porthole-legacy-'));
    dirs.push(cwd);
    expect(legacyStateIn(cwd, statePaths(undefined, { XDG_STATE_HOME: '/s' }, cwd))).toEqual([]);
    writeFileSync(join(cwd, '.dev.vars'), '');
    mkdirSync(join(cwd, '.porthole'));
    expect(legacyStateIn(cwd, statePaths(undefined, { XDG_STATE_HOME: '/s' }, cwd))).toEqual([
      join(cwd, '.dev.vars'),
      join(cwd, '.porthole'),
    ]);
    expect(legacyStateIn(cwd, statePaths('.porthole', {}, cwd))).toEqual([join(cwd, '.dev.vars')]);
  });

  describe('with a relative $HOME', () => {
    const home = process.env.HOME;
    afterEach(() => {
      if (home === undefined) delete process.env.HOME;
      else process.env.HOME = home;
    });

    it("takes the password database's home instead (a relative one would be the current folder)", () => {
      process.env.HOME = 'relative-home';
      expect(absoluteHome()).toBe(userInfo().homedir);
      expect(isAbsolute(absoluteHome())).toBe(true);
      process.env.HOME = '/home/elsewhere';
      expect(absoluteHome()).toBe('/home/elsewhere');
    });

    // Root only (it runs a child as a uid with no passwd entry), and only when that uid may run this node
    // binary (a node installed under a private temp folder is not).
    it.runIf(process.getuid?.() === 0 && othersMayRun(process.execPath))(
      'refuses, saying the fix, when the password database has none',
      async () => {
        const dir = mkdtempSync(join(tmpdir(), 'porthole-nohome-'));
        dirs.push(dir);
        chmodSync(dir, 0o755);
        const bundle = join(dir, 'state-dir.cjs');
        await build({
          entryPoints: [join(__dirname, '../../../../client/local/state-dir.ts')],
          bundle: true,
          platform: 'node',
          format: 'cjs',
          outfile: bundle,
          logLevel: 'error',
        });
        const script = `try { console.log(require(${JSON.stringify(bundle)}).statePaths(undefined).root); } catch (e) { console.log(e.code + ': ' + e.message); }`;
        // A uid with no entry in the password database, as a container's arbitrary user.
        const run = spawnSync(process.execPath, ['-e', script], {
          uid: 54321,
          gid: 54321,
          cwd: dir,
          env: { HOME: 'relative-home', PATH: process.env.PATH },
          encoding: 'utf8',
        });
        expect(run.error).toBeUndefined();
        expect(run.stdout).toMatch(/^no_home: .*\$HOME is 'relative-home'.*--state-dir <dir>/);
      },
    );

    it('does not need a home when XDG_STATE_HOME is absolute', () => {
      process.env.HOME = 'relative-home';
      expect(defaultStateDir({ XDG_STATE_HOME: '/s' })).toBe('/s/porthole');
    });
  });
});

/** Whether a user other than the owner may execute `file`: it and every folder above it have the others-x bit. */
function othersMayRun(file: string): boolean {
  for (let path = file; ; path = dirname(path)) {
    if ((statSync(path).mode & 0o001) === 0) return false;
    if (path === dirname(path)) return true;
  }
}
