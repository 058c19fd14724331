/**
 * Runs the built CLI (dist/cli.js, bundled by the test setup) as a user would, keeping stdout and
 * stderr apart, for the tests of its output contract.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from '../../scripts/build.mjs';
import { afterTest } from './harness';

export const cli = join(root, 'dist', 'cli.js');

export interface CliRun {
  child: ChildProcess;
  /** Everything printed on stdout so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once the process has closed (every byte read). */
  exit: Promise<number | null>;
  /** Resolves once a stdout line parses as JSON and matches; rejects after `timeoutMs` or at exit. */
  line(match: (value: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** SIGTERM unless ended, then its exit code. */
  stop(): Promise<number | null>;
}

/**
 * Runs `porthole <args>` in `cwd` with XDG_STATE_HOME=<cwd>/xdg-state (never the real one) and
 * `env` on top of this process's environment. Stopped when the current test ends, if one runs.
 */
export function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): CliRun {
  const child = spawn(process.execPath, [cli, ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, XDG_STATE_HOME: join(cwd, 'xdg-state'), ...env },
  });
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const wake of waiters) wake();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exit;
  };
  afterTest(stop);
  const line: CliRun['line'] = (match, timeoutMs = 30_000) =>
    new Promise((resolve, reject) => {
      const done = (error?: Error, value?: Record<string, unknown>) => {
        waiters.delete(check);
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(value as Record<string, unknown>);
      };
      const check = () => {
        for (const text of stdout.split('\n')) {
          if (!text.startsWith('{')) continue;
          const value = JSON.parse(text) as Record<string, unknown>;
          if (match(value)) return done(undefined, value);
        }
      };
      const timer = setTimeout(() => done(new Error(`no such line; stdout: ${stdout} stderr: ${stderr}`)), timeoutMs);
      waiters.add(check);
      check();
      void exit.then((code) => done(new Error(`exited (${code}) without such a line; stderr: ${stderr}`)));
    });
  return { child, stdout: () => stdout, stderr: () => stderr, exit, line, stop };
}

/** A fresh folder; removed when the current test ends, or by the returned function. */
export function tempDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'porthole-cli-'));
  const remove = () => rmSync(path, { recursive: true, force: true });
  afterTest(remove);
  return { path, remove };
}
