import { describe, expect, it } from 'vitest';
import { liveTable } from '../../../../client/cli/live-table';
import { Terminal } from '../cli/terminal';

const session = 'abcdefghijklmnop';
const gateway = 'http://porthole.localhost:8787';

describe('settings events in the live table', () => {
  it('prints them as lines above the table', () => {
    const terminal = new Terminal(200);
    const sink = liveTable(terminal, gateway);
    sink({ event: 'settings.reloaded', files: ['porthole.json'], changes: ['port rules'], warnings: [] });
    sink({ event: 'ready', session, gateway, ports: [] });
    sink({
      event: 'settings.error',
      file: 'porthole.json',
      problems: ['porthole.json:1:24: "defaultVisibility" must be private, org, link or public (got "open")'],
    });
    expect(terminal.screen().slice(0, 3)).toEqual([
      'porthole: settings from porthole.json (port rules)',
      'porthole: settings: porthole.json:1:24: "defaultVisibility" must be private, org, link or public (got "open")',
      'porthole: settings: porthole.json ignored until fixed (its last good settings stay in force)',
    ]);
    expect(terminal.screen()[3]).toBe(`porthole · session ${session} · ${gateway} · tunnel connecting`);
  });
});
