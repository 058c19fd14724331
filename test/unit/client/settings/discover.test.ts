import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { discover } from '../../../../client/settings/discover';

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A temporary repository (a folder with .git) holding `files` (path → content). */
function repo(files: Record<string, string>): string {
  root = mkdtempSync(join(tmpdir(), 'porthole-discover-'));
  mkdirSync(join(root, '.git'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('discover', () => {
  it('finds .devcontainer/devcontainer.json and porthole.json from a subfolder, upwards', () => {
    const dir = repo({ '.devcontainer/devcontainer.json': '{}', 'porthole.json': '{}', 'src/app/x': '' });
    const found = discover(join(dir, 'src', 'app'));
    expect(found.devcontainer).toBe(join(dir, '.devcontainer', 'devcontainer.json'));
    expect(found.porthole).toBe(join(dir, 'porthole.json'));
    expect(found.watch).toEqual([join(dir, 'src', 'app'), join(dir, 'src'), dir, join(dir, '.devcontainer')]);
  });

  it('stops at the first folder with either file', () => {
    const dir = repo({ 'porthole.json': '{}', 'web/.devcontainer.json': '{}' });
    const found = discover(join(dir, 'web'));
    expect(found.devcontainer).toBe(join(dir, 'web', '.devcontainer.json'));
    expect(found.porthole).toBeUndefined();
  });

  it('prefers .devcontainer/devcontainer.json to .devcontainer.json', () => {
    const dir = repo({ '.devcontainer/devcontainer.json': '{}', '.devcontainer.json': '{}' });
    expect(discover(dir).devcontainer).toBe(join(dir, '.devcontainer', 'devcontainer.json'));
  });

  it('reads .devcontainer/<name>/devcontainer.json when it is the only one, none (with a warning) when several', () => {
    const one = repo({ '.devcontainer/web/devcontainer.json': '{}' });
    expect(discover(one)).toMatchObject({
      devcontainer: join(one, '.devcontainer', 'web', 'devcontainer.json'),
      warnings: [],
    });
    rmSync(one, { recursive: true });
    const two = repo({ '.devcontainer/web/devcontainer.json': '{}', '.devcontainer/api/devcontainer.json': '{}' });
    const found = discover(two);
    expect(found.devcontainer).toBeUndefined();
    expect(found.warnings).toEqual([
      'several devcontainer configurations (.devcontainer/api/devcontainer.json, .devcontainer/web/devcontainer.json): ' +
        'none is read; keep one, or put the ports in porthole.json',
    ]);
  });

  it('never looks above the repository root (the folder holding .git)', () => {
    const dir = repo({ 'inner/.git/HEAD': '', 'porthole.json': '{}' });
    const found = discover(join(dir, 'inner'));
    expect(found).toMatchObject({ watch: [join(dir, 'inner')], warnings: [] });
    expect(found.porthole).toBeUndefined();
  });
});
