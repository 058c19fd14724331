import { describe, expect, it } from 'vitest';
import { human } from '../../../../client/events';

describe('settings events as human lines', () => {
  it('prints what was read and changed, the warnings, and each problem with the file ignored', () => {
    const lines: string[] = [];
    const sink = human((line) => lines.push(line));
    sink({
      event: 'settings.reloaded',
      files: ['.devcontainer/devcontainer.json', 'porthole.json'],
      changes: ['expose 3000 (App)', 'port rules'],
      warnings: ['"db:5432" is another host\'s port'],
    });
    sink({ event: 'settings.reloaded', files: [], changes: ['unexpose 3000'], warnings: [] });
    sink({
      event: 'settings.error',
      file: 'porthole.json',
      problems: ['porthole.json:2:24: "defaultVisibility" must be private, org, link or public (got "open")'],
    });
    expect(lines).toEqual([
      'porthole: settings from .devcontainer/devcontainer.json, porthole.json (expose 3000 (App), port rules)\n',
      'porthole: settings: "db:5432" is another host\'s port\n',
      'porthole: settings from no file (unexpose 3000)\n',
      'porthole: settings: porthole.json:2:24: "defaultVisibility" must be private, org, link or public (got "open")\n',
      'porthole: settings: porthole.json ignored until fixed (its last good settings stay in force)\n',
    ]);
  });
});
