import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../../../client/events';
import { RepositorySettings, type SettingsTarget } from '../../../../client/settings/runtime';

let dir = '';
let settings: RepositorySettings | null = null;
afterEach(() => {
  settings?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function setup(files: Record<string, string>) {
  dir = mkdtempSync(join(tmpdir(), 'porthole-runtime-'));
  mkdirSync(join(dir, '.git'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const calls: string[] = [];
  const events: AgentEvent[] = [];
  const waiting: (() => void)[] = [];
  settings = new RepositorySettings({
    cwd: dir,
    debounceMs: 20,
    emit: (event) => {
      events.push(event);
      for (const wake of waiting.splice(0)) wake();
    },
  });
  const target: SettingsTarget = {
    expose: (port, options) => calls.push(`expose ${port} ${JSON.stringify(options)}`),
    unexpose: (port) => calls.push(`unexpose ${port}`),
    rulesChanged: () => calls.push('rules'),
    setPreserveHost: (ports) => calls.push(`preserve ${JSON.stringify(ports)}`),
  };
  /** Resolves once `count` events have been emitted in all (5 s at most). */
  const events$ = (count: number) =>
    new Promise<AgentEvent[]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${events.length} events`)), 5000);
      const check = () => {
        if (events.length >= count) {
          clearTimeout(timer);
          resolve(events);
        } else waiting.push(check);
      };
      check();
    });
  return { settings, target, calls, events, events$ };
}

describe('RepositorySettings', () => {
  it('applies the first reading when attached, reports it, then applies each change', async () => {
    const { settings, target, calls, events, events$ } = setup({
      '.devcontainer.json': '{ "forwardPorts": [3000], "portsAttributes": { "3000": { "label": "App" } } }',
    });
    settings.start();
    expect(settings.rules(3000)).toEqual({ label: 'App', onAutoForward: 'notify', ignore: false });
    settings.attach(target);
    expect(calls).toEqual(['expose 3000 {"label":"App"}', 'rules']);
    expect(events).toEqual([
      {
        event: 'settings.reloaded',
        files: ['.devcontainer.json'],
        changes: ['expose 3000 (App)', 'port rules'],
        warnings: [],
      },
    ]);
    calls.length = 0;
    writeFileSync(join(dir, '.devcontainer.json'), '{ "forwardPorts": [4000] }');
    await events$(2);
    expect(calls).toEqual(['unexpose 3000', 'expose 4000 {}', 'rules']);
    expect(settings.rules(3000).label).toBeUndefined();
  });

  it('reports a bad file and changes nothing; says nothing at start without files', async () => {
    const { settings, target, calls, events, events$ } = setup({});
    settings.start();
    settings.attach(target);
    expect([calls, events]).toEqual([[], []]);
    writeFileSync(join(dir, 'porthole.json'), '{ "preserveHost": "some" }');
    await events$(1);
    expect(events).toEqual([
      {
        event: 'settings.error',
        file: 'porthole.json',
        problems: ['porthole.json:1:19: "preserveHost" must be a list of ports or "all" (got "some")'],
      },
    ]);
    expect(calls).toEqual([]);
  });
});
