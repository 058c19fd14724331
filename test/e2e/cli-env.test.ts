/**
 * The CLI in the settings an agent or a VM gives it: $PORT set for the app, output piped,
 * `npm run porthole -- … --json`, `--version`. The real CLI and a real `porthole dev`.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { followEvents } from '../../client/control/client';
import { root } from '../../scripts/build.mjs';
import { afterTest, startOrigin, waitFor } from './harness';
import { runCli, tempDir } from './cli-run';
import { freePorts, nodeServer } from './servers';

const run = promisify(execFile);

describe('porthole CLI in its environment', () => {
  it("$PORT (the app's) does not move the gateway; PORTHOLE_LISTEN does, and a bad one is a usage error", async () => {
    const app = await startOrigin((_req, res) => res.end('the app'));
    const cwd = tempDir().path;
    const dev = runCli(['dev', '--json', '--no-watch', '--control', join(cwd, 'control.sock')], cwd, {
      PORT: String(app.port),
      PORTHOLE_LISTEN: '127.0.0.1:0',
    });
    const ready = await dev.line((l) => l.event === 'ready');
    expect(new URL(ready.gateway as string).port).not.toBe(String(app.port));
    await dev.stop();

    const bad = runCli(['dev', '--json', '--no-watch'], cwd, { PORTHOLE_LISTEN: 'everywhere' });
    expect(await bad.exit).toBe(2);
    expect(JSON.parse(bad.stdout())).toMatchObject({
      error: 'usage',
      message: "PORTHOLE_LISTEN: 'everywhere' is not [host:]port",
    });
  });

  it('piped dev prints one sign-in line for the run, not a one-time link per private port', async () => {
    const [first, second] = (await freePorts(2)) as [number, number];
    const cwd = tempDir().path;
    const control = join(cwd, 'control.sock');
    const dev = runCli(['dev', '--listen', '127.0.0.1:0', '--only', `${first},${second}`, '--control', control], cwd);
    await waitFor(() => dev.stdout().includes('porthole: tunnel up'), 'the tunnel up', 30_000);
    // The client's own events say when each port's login link was made (what a TTY prints per port).
    const logins = new Set<number>();
    const follow = followEvents(control, (event) => {
      if (event.event === 'port.login') logins.add(event.port);
    });
    afterTest(() => follow.stop());
    await nodeServer(first, '127.0.0.1', 'one');
    await nodeServer(second, '127.0.0.1', 'two');
    await waitFor(() => logins.size === 2, 'a login link made for each port', 30_000);
    // A later line on the same pipe: everything printed for those logins has arrived by then.
    const share = runCli(['share', String(first), 'public', '--control', control], cwd);
    expect(await share.exit).toBe(0);
    await waitFor(() => dev.stdout().includes(`port ${first} is now public`), 'the share line', 30_000);

    const lines = dev.stdout().split('\n');
    const signIn = lines.filter((l) => l.includes('porthole_login='));
    expect(signIn, dev.stdout()).toHaveLength(1);
    expect(signIn[0]).toMatch(/^porthole: sign in as the owner \(dashboard and private ports; one-time link\): http/);
    expect(lines.filter((l) => l.includes(`port ${second}`))).toHaveLength(1); // its port.open line only
  });

  it('--version and version print the package version; --json gives {"version"}', async () => {
    const cwd = tempDir().path;
    const human = runCli(['--version'], cwd);
    expect(await human.exit).toBe(0);
    expect(human.stdout()).toMatch(/^porthole \d+\.\d+\.\d+\n$/);
    const json = runCli(['version', '--json'], cwd);
    expect(await json.exit).toBe(0);
    expect(JSON.parse(json.stdout())).toEqual({ version: human.stdout().trim().split(' ')[1] });
  });

  it("`npm run porthole -- … --json` prints only the CLI's JSON on stdout, on success and on failure", async () => {
    // A copy of the package around the real sources, so that the script's build writes its own dist/.
    const pkg = tempDir().path;
    for (const file of ['package.json', '.npmrc']) copyFileSync(join(root, file), join(pkg, file));
    mkdirSync(join(pkg, 'scripts'));
    copyFileSync(join(root, 'scripts', 'build.mjs'), join(pkg, 'scripts', 'build.mjs'));
    for (const dir of ['client', 'gateway', 'protocol', 'node_modules', 'bin'])
      symlinkSync(join(root, dir), join(pkg, dir));
    const ok = await run('npm', ['run', 'porthole', '--', 'version', '--json'], { cwd: pkg });
    expect(JSON.parse(ok.stdout), `stdout: ${ok.stdout}\nstderr: ${ok.stderr}`).toHaveProperty('version');
    // A failure: the CLI's exit code comes through, and npm adds nothing of its own to stdout.
    mkdirSync(join(pkg, 'none'), { mode: 0o700 });
    const control = join(pkg, 'none', 'control.sock');
    const failed = await run('npm', ['run', 'porthole', '--', 'ports', '--json', '--control', control], {
      cwd: pkg,
    }).then(
      () => null,
      (error: { code: number; stdout: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(JSON.parse(failed?.stdout ?? '')).toMatchObject({ error: 'no_client' });
  });
});
