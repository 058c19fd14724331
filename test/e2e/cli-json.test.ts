/**
 * Every command's `--json` output parses, on success and on failure (refused, usage), with the
 * exit code the contract gives: 0, 1, 2 (client/cli/output.ts). The real CLI against a real
 * `porthole dev`; the table of commands is cli-json-rows.ts.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLIENT_COMMANDS, type Fixture, rows, STREAMS, type Value } from './cli-json-rows';
import { type CliRun, runCli, tempDir } from './cli-run';
import { type ChildServer, freePorts, nodeServer } from './servers';

describe('every command keeps the --json contract', () => {
  const f = {} as Fixture;
  let dev: CliRun;
  let server: ChildServer;
  let folder: { remove(): void };
  beforeAll(async () => {
    const dir = tempDir();
    folder = dir;
    f.cwd = dir.path;
    [f.port, f.never] = (await freePorts(2)) as [number, number];
    dev = runCli(
      [
        'dev',
        '--json',
        '--listen',
        '127.0.0.1:0',
        '--only',
        `${f.port},${f.never}`,
        '--control',
        join(f.cwd, 'control.sock'),
      ],
      f.cwd,
    );
    const ready = await dev.line((l) => l.event === 'ready');
    f.gateway = ready.gateway as string;
    server = await nodeServer(f.port, '127.0.0.1', 'json');
    await dev.line((l) => l.event === 'port.open' && l.port === f.port);
    const admin = /^ADMIN_TOKEN=(.*)$/m.exec(
      readFileSync(join(f.cwd, 'xdg-state', 'porthole', 'dev.vars'), 'utf8'),
    )![1]!;
    f.adminFile = join(f.cwd, 'admin-token');
    writeFileSync(f.adminFile, `${admin}\n`, { mode: 0o600 });
    mkdirSync(join(f.cwd, 'none'), { mode: 0o700 });
    f.noClient = join(f.cwd, 'none', 'control.sock');
  });
  afterAll(async () => {
    await server?.stop();
    await dev?.stop();
    folder?.remove();
  });

  for (const row of rows) {
    it(`${row.name}: exit ${row.exit}`, async () => {
      const args = row.args(f);
      const client = CLIENT_COMMANDS.has(args[0] as string) && !args.includes('--control');
      const run = runCli([...args, ...(client ? ['--control', join(f.cwd, 'control.sock')] : [])], f.cwd, row.env?.(f));
      if (row.until) {
        await run.line(row.until);
        run.child.kill('SIGINT');
      }
      const code = await run.exit;
      const stream = STREAMS.has(args[0] as string);
      const text = run.stdout();
      expect(text.endsWith('\n'), `stdout ends a line: ${text}`).toBe(true);
      const lines = text.slice(0, -1).split('\n');
      if (!stream) expect(lines, 'exactly one JSON value').toHaveLength(1);
      const values = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      const last = values.at(-1) as Record<string, unknown>;
      if (row.exit === 0) {
        expect(row.until ? [0, 130] : [0], run.stderr()).toContain(code);
        row.check?.(stream ? values : (last as Value), f);
      } else {
        expect(code, run.stderr()).toBe(row.exit);
        expect(last).toMatchObject({ error: expect.any(String), message: expect.any(String) });
        if (row.exit === 2) expect(last.error).toBe('usage');
        if (stream) expect(last.event).toBe('error');
        expect(run.stderr(), 'a failure under --json says it on stdout only').toBe('');
      }
    });
  }

  it("dev's own NDJSON: every line an event", () => {
    const events = dev
      .stdout()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const e of events) expect(typeof e.event).toBe('string');
  });
});
