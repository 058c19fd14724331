import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { LoadResult } from '../../../../client/settings/load';
import { SettingsWatcher } from '../../../../client/settings/watch';

let dir = '';
let watcher: SettingsWatcher | null = null;
afterEach(() => {
  watcher?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A watcher on a fresh repository, and a way to wait for its next reading. */
function start() {
  dir = mkdtempSync(join(tmpdir(), 'porthole-watch-'));
  mkdirSync(join(dir, '.git'));
  const waiting: ((result: LoadResult) => void)[] = [];
  watcher = new SettingsWatcher({ cwd: dir, debounceMs: 20, onChange: (result) => waiting.shift()?.(result) });
  const next = () =>
    new Promise<LoadResult>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no settings change within 5 s')), 5000);
      waiting.push((result) => {
        clearTimeout(timer);
        resolve(result);
      });
    });
  return { first: watcher.start(), next };
}

describe('SettingsWatcher', () => {
  it('picks up a devcontainer.json created later, then its edits, then its removal', async () => {
    const { first, next } = start();
    expect(first.settings.files).toEqual([]);
    let change = next();
    mkdirSync(join(dir, '.devcontainer'));
    writeFileSync(join(dir, '.devcontainer', 'devcontainer.json'), '{ "forwardPorts": [3000] }');
    let result = await change;
    // The folder may be seen before the file: wait until the file is read.
    while (result.settings.files.length === 0) result = await next();
    expect(result.settings.forwardPorts).toEqual([3000]);
    change = next();
    writeFileSync(join(dir, '.devcontainer', 'devcontainer.json'), '{ "forwardPorts": [4000] }');
    expect((await change).settings.forwardPorts).toEqual([4000]);
    change = next();
    rmSync(join(dir, '.devcontainer'), { recursive: true });
    expect((await change).settings.files).toEqual([]);
  });

  it('reports a bad edit and keeps the good settings', async () => {
    const { next } = start();
    let change = next();
    writeFileSync(join(dir, 'porthole.json'), '{ "ignore": ["9000"] }');
    expect((await change).settings.ignore).toEqual(['9000']);
    change = next();
    writeFileSync(join(dir, 'porthole.json'), '{ "ignore": [9000,, ] }');
    const bad = await change;
    expect(bad.errors[0]?.problems[0]).toMatch(/^porthole\.json:1:19: not valid JSON/);
    expect(bad.settings.ignore).toEqual(['9000']);
  });
});
