/**
 * ATTACK (issue 13 item 4, local paths as merged):
 * - checkAncestors follows links on the path as written (statSync): a link another user owns, in
 *   a sticky folder such as /tmp, that points at a folder of yours passes as yours. Its owner can
 *   point it elsewhere at any time (between the check and workerd's start, or between two runs),
 *   e.g. at a folder of theirs holding their own `state/` storage, which workerd then serves.
 * - A relative $XDG_RUNTIME_DIR is used as it is (the XDG spec says to ignore it, as state-dir.ts
 *   does for $XDG_STATE_HOME): the control socket lands in the current folder, a different one
 *   for every folder the CLI runs from.
 * - A relative $HOME makes the default state folder relative: secrets and session state in the
 *   current folder (an app's repository), which item 4 set out to end.
 */
import { lchownSync, chownSync, chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkAncestors } from '../../../../client/local/ancestors';
import { UnsafePathError } from '../../../../client/local/errors';
import { defaultControlPath } from '../../../../client/control/paths';
import { statePaths } from '../../../../client/local/state-dir';

const asRoot = process.getuid?.() === 0;
const ME = 4242;
const THEM = 65534;

describe('ATTACK: local paths that move under the user', () => {
  const dirs: string[] = [];
  const home = process.env.HOME;
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    if (home === undefined) delete process.env.HOME;
    else process.env.HOME = home;
  });

  it.runIf(asRoot)("refuses a path through another user's link in a sticky folder (they can re-point it)", () => {
    const base = mkdtempSync(join(tmpdir(), 'porthole-atk-'));
    dirs.push(base);
    const sticky = join(base, 'tmp');
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777); // As /tmp: anyone may create, none may rename what is not theirs.
    const mine = join(base, 'mine');
    mkdirSync(mine, { mode: 0o700 });
    chownSync(mine, ME, ME);
    const link = join(sticky, 'porthole-demo');
    symlinkSync(mine, link);
    lchownSync(link, THEM, THEM); // Theirs: they may point it anywhere, whenever they like.
    expect(() => checkAncestors(join(mine, 'state', 'dev.vars'), ME)).not.toThrow(); // The real folder is fine…
    expect(() => checkAncestors(join(link, 'state', 'dev.vars'), ME)).toThrow(UnsafePathError); // …the way to it is not.
  });

  it.runIf(asRoot)("accepts a link of one's own there, but not one that goes on through another user's link", () => {
    const base = mkdtempSync(join(tmpdir(), 'porthole-atk-'));
    dirs.push(base);
    const sticky = join(base, 'tmp');
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777);
    const mine = join(base, 'mine');
    mkdirSync(mine, { mode: 0o700 });
    chownSync(mine, ME, ME);
    const own = join(sticky, 'own');
    symlinkSync(mine, own);
    lchownSync(own, ME, ME);
    expect(() => checkAncestors(join(own, 'state', 'dev.vars'), ME)).not.toThrow();
    const theirs = join(sticky, 'theirs');
    symlinkSync(mine, theirs);
    lchownSync(theirs, THEM, THEM);
    const hop = join(sticky, 'hop'); // Mine, but its target goes through theirs: relative, as written.
    symlinkSync('theirs', hop);
    lchownSync(hop, ME, ME);
    expect(() => checkAncestors(join(hop, 'state', 'dev.vars'), ME)).toThrow(`the link ${theirs}`);
  });

  it('ignores a relative $XDG_RUNTIME_DIR: the control socket is never in the current folder', () => {
    const path = defaultControlPath({ XDG_RUNTIME_DIR: 'run' });
    expect(isAbsolute(path), `control socket at ${path}`).toBe(true);
  });

  it('never puts the default state folder in the current folder, whatever $HOME says', () => {
    process.env.HOME = 'relative-home';
    const { root } = statePaths(undefined, {}, '/srv/app');
    expect(isAbsolute(root), `state folder at ${root}`).toBe(true);
  });
});
