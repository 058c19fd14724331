import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsLoader } from '../../../../client/settings/load';

let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'porthole-load-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SettingsLoader', () => {
  it('merges both files and says when their contents changed', () => {
    writeFileSync(join(dir, '.devcontainer.json'), '{ "forwardPorts": [3000] }');
    writeFileSync(join(dir, 'porthole.json'), '{ "ignore": ["9000"] }');
    const found = {
      devcontainer: join(dir, '.devcontainer.json'),
      porthole: join(dir, 'porthole.json'),
      watch: [],
      warnings: [],
    };
    const loader = new SettingsLoader(dir);
    const first = loader.load(found);
    expect(first).toMatchObject({ errors: [], changed: true });
    expect(first.settings).toMatchObject({
      files: ['.devcontainer.json', 'porthole.json'],
      forwardPorts: [3000],
      ignore: ['9000'],
    });
    expect(loader.load(found).changed).toBe(false);
  });

  it('keeps the last good settings of a file that goes bad, and reports it with line:column', () => {
    const path = join(dir, 'porthole.json');
    const found = { porthole: path, watch: [], warnings: [] };
    const loader = new SettingsLoader(dir);
    writeFileSync(path, '{ "defaultVisibility": "public" }');
    expect(loader.load(found).settings.defaultVisibility).toBe('public');
    writeFileSync(path, '{ "defaultVisibility": "open" }');
    const bad = loader.load(found);
    expect(bad.errors).toEqual([
      {
        file: 'porthole.json',
        problems: ['porthole.json:1:24: "defaultVisibility" must be private, org, link or public (got "open")'],
      },
    ]);
    expect(bad.settings).toMatchObject({ files: ['porthole.json'], defaultVisibility: 'public' });
    writeFileSync(path, '{ "defaultVisibility": ');
    expect(loader.load(found)).toMatchObject({
      changed: true,
      settings: { defaultVisibility: 'public' },
      errors: [
        {
          file: 'porthole.json',
          problems: [expect.stringMatching(/^porthole\.json:1:24: not valid JSON: value expected$/)],
        },
      ],
    });
  });

  it('ignores a file that never was good, and one that cannot be read', () => {
    const loader = new SettingsLoader(dir);
    writeFileSync(join(dir, 'porthole.json'), 'nope');
    const result = loader.load({
      porthole: join(dir, 'porthole.json'),
      devcontainer: join(dir, 'gone.json'),
      watch: [],
      warnings: [],
    });
    expect(result.settings.files).toEqual([]);
    expect(result.errors.map((e) => e.file)).toEqual(['gone.json', 'porthole.json']);
    expect(result.errors[0]?.problems).toEqual(['gone.json: cannot be read (ENOENT)']);
  });
});
