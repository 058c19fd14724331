/**
 * The client-only package (scripts/pack-client.mjs) as a VM image gets it: packed (or the tarball CI
 * packed, $PORTHOLE_CLIENT_TARBALL), installed with npm into a scratch prefix with no registry, and
 * its `porthole` run from that prefix's bin/ as a user's shell would (shebang, PATH's node).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { packClient } from '../../scripts/pack-client.mjs';
import { afterTest } from './harness';

/** A client package installed under a prefix. */
export interface InstalledClient {
  /** The npm prefix (bin/, lib/node_modules/). */
  prefix: string;
  /** `<prefix>/bin/porthole`. */
  bin: string;
  /** The package's folder, `<prefix>/lib/node_modules/porthole-client`. */
  folder: string;
}

/** The tarball CI packed ($PORTHOLE_CLIENT_TARBALL), else a fresh `npm run pack:client`. */
export async function clientTarball(): Promise<string> {
  return process.env.PORTHOLE_CLIENT_TARBALL ?? (await packClient()).tarball;
}

/** `prefix`'s installed client (a prefix CI installed into, or one of ours). */
export function installedAt(prefix: string): InstalledClient {
  return {
    prefix,
    bin: join(prefix, 'bin', 'porthole'),
    folder: join(prefix, 'lib', 'node_modules', 'porthole-client'),
  };
}

/**
 * `npm install -g --prefix <new temp folder> --offline <tarball>` with an empty npm cache: proves
 * the package installs with no registry at all (the optional native helper is then left out).
 */
export function installOffline(tarball: string): InstalledClient {
  const prefix = mkdtempSync(join(tmpdir(), 'porthole-client-'));
  execFileSync(
    'npm',
    ['install', '-g', '--prefix', prefix, '--cache', join(prefix, 'npm-cache'), '--offline'].concat([
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      tarball,
    ]),
    { cwd: prefix, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return installedAt(prefix);
}

/** Bytes of every file under `path` (apparent sizes), leaving out folders named in `skip`. */
export function bytesUnder(path: string, skip: string[] = []): number {
  const stat = lstatSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path)
    .filter((name) => !skip.includes(name))
    .reduce((sum, name) => sum + bytesUnder(join(path, name), skip), 0);
}

/** The environment a shell in the VM would give: this Node first on PATH (the bin's shebang finds it). */
export function shellEnv(cwd: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
    XDG_STATE_HOME: join(cwd, 'xdg-state'),
    ...extra,
  };
}

export interface Run {
  child: ChildProcess;
  events: Record<string, unknown>[];
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once every byte is read. */
  exit: Promise<number | null>;
  /** The first JSON line with `event` matching (already printed or future); rejects at exit or after 30 s. */
  next(event: string, match?: (e: Record<string, unknown>) => boolean): Promise<Record<string, unknown>>;
}

/** Runs the installed `porthole <args>` in `cwd`; stopped (SIGTERM) when the current test ends. */
export function runInstalled(client: InstalledClient, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Run {
  const child = spawn(client.bin, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: shellEnv(cwd, env) });
  const events: Record<string, unknown>[] = [];
  const waiters = new Set<() => void>();
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    stdout += `${line}\n`;
    if (line.startsWith('{')) events.push(JSON.parse(line) as Record<string, unknown>);
    for (const wake of waiters) wake();
  });
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  afterTest(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exit;
  });
  const next: Run['next'] = (event, match = () => true) =>
    new Promise((resolve, reject) => {
      const done = (error?: Error, found?: Record<string, unknown>) => {
        waiters.delete(check);
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(found!);
      };
      const check = () => {
        const found = events.find((e) => e.event === event && match(e));
        if (found) done(undefined, found);
      };
      const timer = setTimeout(() => done(new Error(`no ${event} event; stderr: ${stderr}`)), 30_000);
      waiters.add(check);
      check();
      void exit.then((code) => done(new Error(`exited (${code}) without a ${event} event; stderr: ${stderr}`)));
    });
  return { child, events, stdout: () => stdout, stderr: () => stderr, exit, next };
}
