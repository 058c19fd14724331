/**
 * Settings from the repository, end to end: `porthole dev` started in a folder with a
 * .devcontainer/devcontainer.json and a porthole.json (no label, ignore or visibility flags) leaves
 * an `onAutoForward: ignore` port out and opens another as porthole.json says; a bad edit is
 * reported with file:line:column and changes nothing; labels reach the port table, and an edit
 * relabels at runtime and exposes a new forwardPorts entry.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { root } from '../../scripts/build.mjs';
import { afterTest } from './harness';
import { freePorts, nodeServer } from './servers';

const cli = join(root, 'dist', 'cli.js');
type Event = Record<string, unknown>;

/** The CLI in `cwd` with its state and control socket there; stopped (SIGTERM) and awaited when the test ends. */
function run(args: string[], cwd: string) {
  const child: ChildProcess = spawn(process.execPath, [cli, ...args, '--control', join(cwd, 'control.sock')], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XDG_STATE_HOME: join(cwd, 'xdg-state') },
  });
  const events: Event[] = [];
  const waiters: (() => void)[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    events.push(line.startsWith('{') || line.startsWith('[') ? (JSON.parse(line) as Event) : { event: 'text', line });
    for (const wake of waiters.splice(0)) wake();
  });
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  afterTest(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exit;
  });
  /** The first event named `event` that `match` accepts, from index `from` on (waits up to 30 s). */
  const next = (event: string, match: (e: Event) => boolean = () => true, from = 0) =>
    new Promise<Event>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${event} event; stderr: ${stderr}`)), 30_000);
      const check = () => {
        const found = events.slice(from).find((e) => e.event === event && match(e));
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else waiters.push(check);
      };
      check();
      void exit.then((code) => {
        clearTimeout(timer);
        reject(new Error(`the process ended (${code}) without a ${event} event; stderr: ${stderr}`));
      });
    });
  return { child, events, next, exit, stderr: () => stderr };
}

function tempRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'porthole-settings-'));
  afterTest(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, '.git'));
  mkdirSync(join(dir, '.devcontainer'));
  return dir;
}

/** A devcontainer.json labelling `app` and ignoring `hidden`, with `extra` properties. */
const devcontainer = (app: number, hidden: number, label: string, extra = '') => `{
  // what a repository already has for hosted IDEs
  "name": "demo",
  "portsAttributes": {
    "${app}": { "label": "${label}" },
    "${hidden}": { "onAutoForward": "ignore" },
  },${extra}
}
`;

/** Two servers, on `app` and `hidden`, stopped when the test ends. */
async function servers(app: number, hidden: number): Promise<void> {
  const started = await Promise.all([nodeServer(app, '127.0.0.1', 'app'), nodeServer(hidden, '127.0.0.1', 'hidden')]);
  afterTest(() => Promise.all(started.map((server) => server.stop())));
}

describe('settings in the repository', () => {
  it('dev honours onAutoForward ignore and porthole.json without flags; a bad edit is reported and changes nothing', async () => {
    const [app, hidden] = (await freePorts(2)) as [number, number];
    const cwd = tempRepo();
    const file = join(cwd, '.devcontainer', 'devcontainer.json');
    writeFileSync(file, devcontainer(app, hidden, 'App'));
    writeFileSync(join(cwd, 'porthole.json'), `{ "visibility": { "${app}": "public" } }`);
    await servers(app, hidden);

    // --only keeps other tests' ephemeral ports out of this run; it names the ignored port too.
    const dev = run(['dev', '--json', '--listen', '127.0.0.1:0', '--only', `${app},${hidden}`], cwd);
    const loaded = await dev.next('settings.reloaded');
    expect(loaded).toMatchObject({ files: ['.devcontainer/devcontainer.json', 'porthole.json'], warnings: [] });
    const ready = await dev.next('ready');
    // Both servers listened before the first scan, so the first port table says it all.
    const ports = ready.ports as Event[];
    expect(ports.map((p) => [p.port, p.visibility])).toEqual([[app, 'public']]);

    // A bad edit: reported with file:line:column, and the settings in force stay.
    const from = dev.events.length;
    const bad = devcontainer(app, hidden, 'App').replace('"ignore"', '"hide"');
    writeFileSync(file, bad);
    const column = (bad.split('\n')[5] as string).indexOf('"hide"') + 1;
    const error = await dev.next('settings.error', () => true, from);
    expect(error).toEqual({
      event: 'settings.error',
      file: '.devcontainer/devcontainer.json',
      problems: [
        `.devcontainer/devcontainer.json:6:${column}: "portsAttributes.${hidden}.onAutoForward" ` +
          'must be notify, openBrowser, openBrowserOnce, openPreview, silent or ignore (got "hide")',
      ],
    });
    // Fixed again: the same settings, read once more; the ignored port never appeared.
    writeFileSync(file, devcontainer(app, hidden, 'App'));
    await dev.next('settings.reloaded', () => true, from);
    expect(dev.events.filter((e) => e.port === hidden)).toEqual([]);
  });

  it('labels ports, and an edit relabels at runtime and exposes a new forwardPorts entry', async () => {
    const [app, hidden, forwarded] = (await freePorts(3)) as [number, number, number];
    const cwd = tempRepo();
    const file = join(cwd, '.devcontainer', 'devcontainer.json');
    writeFileSync(file, devcontainer(app, hidden, 'App'));
    await servers(app, hidden);
    const dev = run(['dev', '--json', '--listen', '127.0.0.1:0', '--only', `${app},${hidden},${forwarded}`], cwd);
    const ready = await dev.next('ready');
    expect(ready.ports).toEqual([expect.objectContaining({ port: app, label: 'App' })]);

    const from = dev.events.length;
    writeFileSync(file, devcontainer(app, hidden, 'Web', `\n  "forwardPorts": [${forwarded}],`));
    const reloaded = await dev.next('settings.reloaded', () => true, from);
    expect(reloaded.changes).toEqual([`expose ${forwarded}`, 'port rules']);
    expect(await dev.next('port.open', (e) => e.port === app && e.label === 'Web', from)).toBeTruthy();
    expect(await dev.next('port.open', (e) => e.port === forwarded, from)).toMatchObject({ source: 'settings' });
  });

  it('--no-settings reads no file', async () => {
    const cwd = tempRepo();
    writeFileSync(join(cwd, '.devcontainer', 'devcontainer.json'), '{ "forwardPorts": [3999] }');
    const dev = run(['dev', '--json', '--listen', '127.0.0.1:0', '--no-watch', '--no-settings'], cwd);
    const ready = await dev.next('ready');
    expect(ready.ports).toEqual([]);
    expect(dev.events.filter((e) => String(e.event).startsWith('settings.'))).toEqual([]);
  });
});
