import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { root } from '../../scripts/build.mjs';
import { afterTest, request, startOrigin, DOMAIN, waitFor } from './harness';
import { childrenOf, cmdline, inGroup } from './procs';
import { freePorts, nodeServer } from './servers';

const cli = join(root, 'dist', 'cli.js');

interface Run {
  child: ChildProcess;
  events: Record<string, unknown>[];
  next(event: string, match?: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
  exit: Promise<number | null>;
  stderr(): string;
}

/**
 * Run the CLI in `cwd`; commands that run a client get a control socket of their own there, and
 * (unless `env` says otherwise) XDG_STATE_HOME is `<cwd>/xdg-state`, so no test touches the real
 * ~/.local/state. A process still running when the test ends is stopped, and awaited.
 */
function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Run {
  const ownsControl = ['dev', 'connect'].includes(args[0] as string) && !args.includes('--control');
  const own = ownsControl ? ['--control', join(cwd, 'control.sock')] : [];
  const child = spawn(process.execPath, [cli, ...args, ...own], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XDG_STATE_HOME: join(cwd, 'xdg-state'), ...env },
  });
  const events: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    // Human output (commands run without --json) is kept as text lines.
    events.push(line.startsWith('{') ? (JSON.parse(line) as Record<string, unknown>) : { event: 'text', line });
    for (const wake of waiters.splice(0)) wake();
  });
  // 'close', not 'exit': every line of output has been read by then.
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  afterTest(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    // SIGTERM, not SIGKILL: porthole dev then stops its workerd too instead of orphaning it.
    child.kill('SIGTERM');
    await exit;
  });
  const next = (event: string, match: (e: Record<string, unknown>) => boolean = () => true) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${event} event; stderr: ${stderr}`)), 30_000);
      const check = () => {
        const found = events.find((e) => e.event === event && match(e));
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else waiters.push(check);
      };
      check();
      // Every line is in once the process has closed: an event not seen by then never comes.
      void exit.then((code) => {
        clearTimeout(timer);
        reject(new Error(`the process ended (${code}) without a ${event} event; stderr: ${stderr}`));
      });
    });
  return { child, events, next, exit, stderr: () => stderr };
}

/** Every entry under `dir` with its mode, size and mtime: equal listings mean nothing was written. */
function listing(dir: string): string[] {
  // '.' too: a file created and removed again still changes the folder's mtime.
  return ['.', ...readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()].map((name) => {
    const stat = lstatSync(join(dir, name));
    return `${name} ${stat.mode.toString(8)} ${stat.size} ${stat.mtimeMs}`;
  });
}

/** A fresh folder, removed when the test ends. */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'porthole-cli-'));
  afterTest(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('porthole CLI', () => {
  it('dev --json starts the gateway and client, prints NDJSON events, serves the port, exits on SIGINT', async () => {
    const origin = await startOrigin((_req, res) => res.end('from the cli test'));
    const cwd = tempDir();
    const dev = run(
      [
        'dev',
        '--json',
        '--listen',
        '127.0.0.1:0',
        '--port',
        String(origin.port),
        '--visibility',
        `${origin.port}=public`,
      ],
      cwd,
    );
    const ready = await dev.next('ready');
    expect(ready.session).toMatch(/^[a-z2-7]{16}$/);
    await dev.next('tunnel.up');
    const open = await dev.next('port.open', (e) => e.port === origin.port);
    expect(open.visibility).toBe('public');
    const url = new URL(open.url as string);
    // Every line is an event: nothing human-readable is mixed in.
    for (const e of dev.events) expect(typeof e.event).toBe('string');

    const gateway = { url: `http://${DOMAIN}:${url.port}`, port: Number(url.port) } as Parameters<typeof request>[0];
    const reply = await request(gateway, url.href);
    expect(reply.body.toString()).toBe('from the cli test');

    // Secrets were generated privately and never printed.
    const vars = readFileSync(join(cwd, 'xdg-state', 'porthole', 'dev.vars'), 'utf8');
    expect(vars).toMatch(/^ADMIN_TOKEN=.{40,}$/m);
    expect(statSync(join(cwd, 'xdg-state', 'porthole', 'dev.vars')).mode & 0o077).toBe(0);
    const secret = /^TOKEN_SECRET=(.*)$/m.exec(vars)![1]!;
    expect(JSON.stringify(dev.events) + dev.stderr()).not.toContain(secret);

    // Ctrl-C: the process ends (0, or 130 as shells report SIGINT) and workerd goes with it.
    dev.child.kill('SIGINT');
    expect([0, 130]).toContain(await dev.exit);
    const after = await request(gateway, url.href).then(
      () => 'still answering',
      (e: NodeJS.ErrnoException) => e.code,
    );
    expect(after).toBe('ECONNREFUSED');
  });

  it('dev whose gateway process dies exits 1 with the reason, and nothing of that gateway keeps running', async () => {
    const cwd = tempDir();
    const dev = run(['dev', '--json', '--listen', '127.0.0.1:0', '--no-watch'], cwd);
    await dev.next('tunnel.up');
    // The gateway runs in a child process (Miniflare, workerd and the front), a process group of its own.
    const host = childrenOf(dev.child.pid!).find((pid) => cmdline(pid).includes('gateway-host.js'));
    expect(host, 'the gateway host process').toBeDefined();
    expect(inGroup(host!).length).toBeGreaterThan(1); // it and its workerd
    process.kill(host!, 'SIGKILL');
    expect(await dev.exit).toBe(1);
    expect(dev.events).toContainEqual(
      expect.objectContaining({ event: 'error', message: expect.stringContaining('local gateway process exited') }),
    );
    await waitFor(() => inGroup(host!).length === 0, 'its workerd gone with it', 5_000);
  });

  it('connect with a bad token reports the refusal and exits 1 without retrying', async () => {
    const cwd = tempDir();
    const dev = run(['dev', '--json', '--listen', '127.0.0.1:0'], cwd);
    const ready = await dev.next('ready');
    const connect = run(
      ['connect', '--json', '--gateway', ready.gateway as string, '--token', 'bogus', '--port', '3000'],
      tempDir(), // A folder (and control socket) of its own: dev's client holds the one in cwd.
    );
    expect(await connect.exit).toBe(1);
    const down = connect.events.find((e) => e.event === 'tunnel.down');
    expect(down).toMatchObject({ retryInMs: null });
    expect(String(down?.reason)).toMatch(/401/);
    // A token in argv still works, with a warning: every local user can read it in `ps`.
    expect(connect.stderr()).toContain(
      'porthole connect: warning: --token on the command line can be read by other local users (ps); use PORTHOLE_TOKEN or --token-file <path>',
    );
    dev.child.kill('SIGINT');
    expect([0, 130]).toContain(await dev.exit);
  });

  it('ports and wait talk to the running client over its control socket', async () => {
    const [port, never] = (await freePorts(2)) as [number, number];
    const cwd = tempDir();
    const control = join(cwd, 'control.sock');
    // wait blocks until the port answers through the gateway (as its owner: the port is private), then prints its
    // URL; started before the client (`porthole dev & porthole wait 3000`), it waits for the client too.
    const waiting = run(['wait', String(port), '--timeout', '30s', '--control', control], cwd);
    const dev = run(['dev', '--json', '--listen', '127.0.0.1:0', '--only', `${port},${never}`], cwd);
    await dev.next('tunnel.up');
    // Only this user may talk to the client: the socket is 0600 (file permissions are the access control).
    expect(statSync(control).mode & 0o777).toBe(0o600);
    const server = await nodeServer(port, '127.0.0.1', 'waited for');
    expect(await waiting.exit).toBe(0);
    const url =
      (waiting.events[0] as { line: string } | undefined)?.line ??
      `none: ${JSON.stringify(waiting.events)} ${waiting.stderr()}`;
    const open = await dev.next('port.open', (e) => e.port === port);
    expect(url).toBe(open.url);
    const gatewayPort = Number(new URL(url).port);
    const gateway = { url: `http://${DOMAIN}:${gatewayPort}`, port: gatewayPort } as Parameters<typeof request>[0];
    const anonymous = await request(gateway, url);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers['x-porthole-error']).toBe('preview_private');
    const token = run(['token', '--control', control], cwd);
    expect(await token.exit).toBe(0);
    const owner = (token.events[0] as { line: string }).line;
    expect((await request(gateway, url, { headers: { 'x-porthole-token': owner } })).body.toString()).toBe(
      'waited for',
    );

    const listed = run(['ports', '--json', '--control', control], cwd);
    expect(await listed.exit).toBe(0);
    // One JSON value: an array of ports.
    expect(JSON.parse((listed.events[0] as { line: string }).line)).toEqual([
      expect.objectContaining({ port, url, process: 'node', visibility: 'private' }),
    ]);
    const table = run(['ports', '--control', control], cwd);
    expect(await table.exit).toBe(0);
    expect(table.events.map((e) => e.line).join('\n')).toMatch(new RegExp(`${port}\\s+node\\s+private\\s+${url}`));

    const timeout = run(['wait', String(never), '--timeout', '300ms', '--control', control], cwd);
    expect(await timeout.exit).toBe(1);
    expect(timeout.stderr()).toContain(`port ${never} did not answer through the gateway within 300ms`);

    // A server that resets every connection: the timeout says what the last try got instead.
    const resetting = net.createServer((socket) => socket.resetAndDestroy());
    await new Promise<void>((resolve) => resetting.listen(never, '127.0.0.1', resolve));
    afterTest(() => new Promise<void>((resolve) => resetting.close(() => resolve())));
    await dev.next('port.open', (e) => e.port === never);
    const refused = run(['wait', String(never), '--timeout', '2s', '--json', '--control', control], cwd);
    expect(await refused.exit).toBe(1);
    expect(refused.events[0]).toMatchObject({ error: 'timeout', lastAnswer: expect.stringMatching(/^502 origin_/) });

    await server.stop();
    dev.child.kill('SIGINT');
    expect([0, 130]).toContain(await dev.exit);
    const gone = run(['ports', '--control', control], cwd);
    expect(await gone.exit).toBe(1);
    expect(gone.stderr()).toContain('no porthole client is running');
  });

  it('share, login, link, links and revoke: the walkthrough a new user does', async () => {
    const [port] = (await freePorts(1)) as [number];
    const cwd = tempDir();
    const control = join(cwd, 'control.sock');
    const cli = (...args: string[]) => run([...args, '--control', control], cwd);
    const dev = run(['dev', '--json', '--listen', '127.0.0.1:0', '--only', String(port)], cwd);
    const ready = await dev.next('ready');
    expect(String(ready.dashboard)).toMatch(new RegExp(`/s/${ready.session}\\?porthole_login=`));
    await dev.next('tunnel.up');
    const dashboard = cli('dashboard', '--json');
    expect(await dashboard.exit).toBe(0);
    expect(Object.keys(dashboard.events[0] ?? {})).toEqual(['url']);
    expect(String(dashboard.events[0]?.url)).toContain(`/s/${ready.session}?porthole_login=`);
    const server = await nodeServer(port, '127.0.0.1', 'the preview');
    const open = await dev.next('port.open', (e) => e.port === port);
    expect(open.visibility).toBe('private');
    const url = open.url as string;
    // The client offers the owner a one-time link at once.
    const offered = await dev.next('port.login', (e) => e.port === port);
    expect(String(offered.url)).toContain(`/s/${ready.session}/login?porthole_login=`);
    const gatewayPort = Number(new URL(url).port);
    const gateway = { url: `http://${DOMAIN}:${gatewayPort}`, port: gatewayPort } as Parameters<typeof request>[0];
    const line = (r: Run) => (r.events[0] as { line?: string } | undefined)?.line ?? '';
    const browse = async (target: string, cookie?: string) =>
      request(gateway, target, { headers: { accept: 'text/html', ...(cookie ? { cookie } : {}) } });
    const cookieFrom = (reply: Awaited<ReturnType<typeof browse>>) =>
      String(reply.headers['set-cookie']).split(';')[0]!;

    // A stranger is sent to sign in (issue 12) and sees the private page there.
    const sent = await browse(url);
    expect(sent.status).toBe(303);
    const stranger = await browse(String(sent.headers.location));
    expect(stranger.status).toBe(401);
    expect(stranger.body.toString()).toContain('This preview is private');

    // The owner logs in with a fresh link: signed in on the control plane, then on to the port with a ticket.
    const login = cli('login', String(port));
    expect(await login.exit).toBe(0);
    const signedIn = await browse(line(login));
    expect(signedIn.status).toBe(303);
    expect(String(signedIn.headers.location).startsWith(`${url}?porthole_login=`)).toBe(true);
    const entered = await browse(String(signedIn.headers.location));
    expect(entered.status).toBe(303);
    expect(entered.headers.location).toBe(url);
    expect((await browse(url, cookieFrom(entered))).body.toString()).toBe('the preview');

    // Share by link, with a 10-minute reviewer link.
    const share = cli('share', String(port), 'link');
    expect(await share.exit).toBe(0);
    expect(line(share)).toContain(`port ${port} is link`);
    expect(share.stderr()).not.toContain('nothing listens');
    const link = cli('link', String(port), '--ttl', '10m', '--label', 'review', '--json');
    expect(await link.exit).toBe(0);
    const created = link.events[0] as { id: string; url: string; port: number; expiresAt: string };
    expect(Object.keys(created).sort()).toEqual(['expiresAt', 'id', 'label', 'port', 'url']);
    expect(created.port).toBe(port);
    expect(Math.abs(Date.parse(created.expiresAt) - Date.now() - 600_000)).toBeLessThan(60_000);
    const reviewer = await browse(created.url); // A fresh browser profile: no cookies.
    expect(reviewer.status).toBe(303);
    const reviewerCookie = cookieFrom(reviewer);
    expect((await browse(url, reviewerCookie)).body.toString()).toBe('the preview');

    const listed = cli('links', '--json');
    expect(await listed.exit).toBe(0);
    expect(JSON.parse((listed.events[0] as { line: string }).line)).toEqual([
      expect.objectContaining({ id: created.id, port, label: 'review' }),
    ]);
    const table = cli('links');
    expect(await table.exit).toBe(0);
    expect(table.events.map((e) => e.line).join('\n')).toMatch(new RegExp(`${created.id}\\s+${port}\\s+10m\\s+review`));

    const revoke = cli('revoke', created.id);
    expect(await revoke.exit).toBe(0);
    expect(line(revoke)).toBe(`revoked link ${created.id} (port ${port})`);
    const gone = await browse(url, reviewerCookie);
    expect(gone.status).toBe(410);
    expect(gone.body.toString()).toContain('This link was revoked');

    const pub = cli('share', String(port), 'public');
    expect(await pub.exit).toBe(0);
    expect((await browse(url)).body.toString()).toBe('the preview');

    // Mistakes get a clear message and a non-zero exit.
    const bad = cli('share', String(port), 'everyone');
    expect(await bad.exit).toBe(2);
    expect(bad.stderr()).toContain('private|org|link|public');
    const unknown = cli('revoke', 'nosuchlink');
    expect(await unknown.exit).toBe(1);
    expect(unknown.stderr()).toContain('no live link');

    // No signing key ever appears in what porthole printed.
    const vars = readFileSync(join(cwd, 'xdg-state', 'porthole', 'dev.vars'), 'utf8');
    const secret = /^TOKEN_SECRET=(.*)$/m.exec(vars)![1]!;
    const printed = [dev, login, share, link, listed, table, revoke, pub, bad, unknown]
      .map((r) => JSON.stringify(r.events) + r.stderr())
      .join('');
    expect(printed).not.toContain(secret);

    // A visibility for a port nothing listens on is kept, with a warning (a typo'd port looks like this).
    await server.stop();
    await dev.next('port.close', (e) => e.port === port);
    const idle = cli('share', String(port), 'private');
    expect(await idle.exit).toBe(0);
    expect(idle.stderr()).toContain(`porthole share: nothing listens on port ${port} right now`);
    expect(line(idle)).toContain(`port ${port} is private`);

    dev.child.kill('SIGINT');
    expect([0, 130]).toContain(await dev.exit);
  });

  it("dev run from an app's folder writes nothing into it: state and secrets go to $XDG_STATE_HOME/porthole", async () => {
    const app = tempDir();
    writeFileSync(join(app, 'package.json'), '{}\n');
    // Left by an older porthole: neither read nor rewritten, only mentioned.
    writeFileSync(join(app, '.dev.vars'), 'ADMIN_TOKEN=old\n', { mode: 0o600 });
    const before = listing(app);
    const xdg = tempDir();
    const dev = run(['dev', '--json', '--listen', '0', '--no-watch', '--control', join(xdg, 'control.sock')], app, {
      XDG_STATE_HOME: xdg,
    });
    await dev.next('tunnel.up');
    const state = join(xdg, 'porthole');
    expect(statSync(state).mode & 0o777).toBe(0o700);
    expect(statSync(join(state, 'dev.vars')).mode & 0o777).toBe(0o600);
    expect(statSync(join(state, 'session.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(state, 'state')).mode & 0o777, 'the Durable Objects storage').toBe(0o700);
    expect(readFileSync(join(state, 'dev.vars'), 'utf8')).not.toContain('ADMIN_TOKEN=old');
    expect(dev.stderr()).toContain(
      `.dev.vars here is no longer read or written; secrets and state now live in ${state}`,
    );
    dev.child.kill('SIGINT');
    expect([0, 130]).toContain(await dev.exit);
    expect(listing(app)).toEqual(before);
  });

  it('session create and connect take tokens from a private file; a world-readable one is refused', async () => {
    const cwd = tempDir();
    const dev = run(['dev', '--json', '--listen', '0', '--no-watch'], cwd);
    const ready = await dev.next('ready');
    const admin = /^ADMIN_TOKEN=(.*)$/m.exec(readFileSync(join(cwd, 'xdg-state', 'porthole', 'dev.vars'), 'utf8'))![1]!;
    const adminFile = join(cwd, 'admin-token');
    writeFileSync(adminFile, `${admin}\n`, { mode: 0o600 });
    const gateway = ready.gateway as string;
    const create = run(['session', 'create', '--gateway', gateway, '--admin-token-file', adminFile, '--json'], cwd);
    expect(await create.exit).toBe(0);
    expect(create.stderr()).toBe('');
    const tokenFile = join(cwd, 'token');
    writeFileSync(tokenFile, `${String(create.events[0]?.token)}\r\n`, { mode: 0o600 });
    const connect = run(
      ['connect', '--json', '--gateway', gateway, '--token-file', tokenFile, '--no-watch'],
      tempDir(),
    );
    await connect.next('tunnel.up');
    expect(connect.stderr()).toBe('');
    connect.child.kill('SIGINT');
    await connect.exit;

    chmodSync(tokenFile, 0o644);
    const refused = run(['connect', '--gateway', gateway, '--token-file', tokenFile, '--no-watch'], tempDir());
    expect(await refused.exit).toBe(2);
    expect(refused.stderr()).toContain(`--token-file: refusing ${tokenFile}: other users may access it (mode 644)`);
    expect(refused.stderr()).toContain(`chmod 600 ${tokenFile}`);

    // A FIFO would block the read forever: refused at once.
    const fifo = join(cwd, 'token-fifo');
    execFileSync('mkfifo', ['-m', '600', fifo]);
    const blocked = run(['connect', '--gateway', gateway, '--token-file', fifo, '--no-watch'], tempDir());
    expect(await blocked.exit).toBe(2);
    expect(blocked.stderr()).toContain(`--token-file: refusing ${fifo}: not a regular file`);
  });

  it('dev on a port already in use says so and exits 1', async () => {
    const busy = await startOrigin((_req, res) => res.end());
    const dev = run(['dev', '--listen', `127.0.0.1:${busy.port}`], tempDir());
    expect(await dev.exit).toBe(1);
    expect(dev.stderr()).toContain(`127.0.0.1:${busy.port} is already in use; pass --listen <port>`);
  });

  it('a second dev on the same state folder exits 1 naming the process that holds it', async () => {
    const cwd = tempDir();
    const first = run(['dev', '--json', '--listen', '0', '--no-watch'], cwd);
    await first.next('ready');
    const second = run(['dev', '--listen', '0', '--state-dir', join(cwd, 'xdg-state', 'porthole')], tempDir());
    expect(await second.exit).toBe(1);
    expect(second.stderr()).toContain(`another porthole dev (pid ${first.child.pid}) is using this state folder`);
  });

  it('dev refuses a world-readable dev.vars untouched, and ports an open control folder, each with the fix', async () => {
    const cwd = tempDir();
    const state = join(cwd, 'state');
    mkdirSync(state, { mode: 0o700 });
    const vars = join(state, 'dev.vars');
    writeFileSync(vars, 'ADMIN_TOKEN=leaked\n');
    chmodSync(vars, 0o644);
    const dev = run(['dev', '--listen', '0', '--state-dir', state], cwd);
    expect(await dev.exit).toBe(1);
    expect(dev.stderr()).toContain(`chmod 600 ${vars}`);
    expect(readFileSync(vars, 'utf8')).toBe('ADMIN_TOKEN=leaked\n');

    // A state folder others could rename away and replace (their parent is writable, not sticky).
    const shared = join(cwd, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const replaceable = run(['dev', '--listen', '0', '--state-dir', join(shared, 'porthole')], cwd);
    expect(await replaceable.exit).toBe(1);
    expect(replaceable.stderr()).toContain(`other users may write the folder ${shared} above it`);

    const folder = join(cwd, 'open');
    mkdirSync(folder);
    chmodSync(folder, 0o777);
    const ports = run(['ports', '--control', join(folder, 'control.sock')], cwd);
    expect(await ports.exit).toBe(1);
    expect(ports.stderr()).toContain(`chmod 700 ${folder}`);
  });

  it('rejects bad options with every problem listed, and has help', async () => {
    const cwd = tempDir();
    const bad = run(['connect', '--port', '70000'], cwd);
    expect(await bad.exit).toBe(2);
    expect(bad.stderr()).toMatch(/--gateway/);
    expect(bad.stderr()).toMatch(/--token/);
    expect(bad.stderr()).toMatch(/'70000' is not a port number/);
    const rules = run(
      [
        'connect',
        '--gateway',
        'http://x',
        '--token',
        't',
        '--default-visibility',
        'open',
        '--visibility',
        '8000=everyone',
        '--visibility',
        '9-3=link',
      ],
      cwd,
    );
    expect(await rules.exit).toBe(2);
    expect(rules.stderr()).toContain("--default-visibility: 'open' is not a visibility (private, org, link or public)");
    expect(rules.stderr()).toContain("--visibility: 'everyone' is not a visibility");
    expect(rules.stderr()).toContain("--visibility: '9-3=link' is an empty range");
    const help = spawn(process.execPath, [cli, 'dev', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    help.stdout.on('data', (c: Buffer) => {
      text += c.toString();
    });
    const code = await new Promise((resolve) => help.once('exit', resolve));
    expect(code).toBe(0);
    expect(text).toMatch(/--listen/);
  });

  it('a reader that closes the pipe early ends the command quietly (exit 0, no stack trace)', async () => {
    const child = spawn(process.execPath, [cli, 'help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.destroy(); // As `| head -1` does once it has its line.
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(stderr).not.toContain('EPIPE');
    expect(code).toBe(0);
  });
});
