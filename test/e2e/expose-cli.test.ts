/**
 * `porthole expose`, `unexpose`, `ports --json` and `wait` against a running `porthole connect`
 * (the real CLI bundle) on the real gateway: a left-out port is exposed with one command and its
 * URL answers; `ports --json` carries label, source and listening; `wait` on a left-out port
 * fails at once saying why and what to run.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from '../../scripts/build.mjs';
import { kernelEphemeralRange } from '../../client/ports/filters';
import {
  afterTest,
  createSession,
  freePort,
  type Harness,
  request,
  startHarness,
  startOrigin,
  waitFor,
} from './harness';

const cli = join(root, 'dist', 'cli.js');

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

/** `porthole connect --json` for a new session, its control socket in a fresh folder; resolved once the tunnel is up. */
async function connect(): Promise<{ control: string; child: ChildProcess }> {
  const dir = mkdtempSync(join(tmpdir(), 'porthole-expose-'));
  afterTest(() => rmSync(dir, { recursive: true, force: true }));
  const control = join(dir, 'control.sock');
  const { token } = await createSession(h);
  // Every port outside the ephemeral range is ignored: this machine's other servers stay out of the session.
  const ignore = ['--ignore', '1-32767,61000-65535'];
  const args = [cli, 'connect', '--json', '--gateway', h.gateway.url, '--control', control, ...ignore];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORTHOLE_TOKEN: token },
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  afterTest(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no tunnel.up from porthole connect')), 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.includes('"tunnel.up"')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  return { control, child };
}

/** One CLI command; resolves with its exit code and output. */
function porthole(args: string[], control: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args, '--control', control], { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('porthole expose / unexpose / wait', () => {
  it('exposes a left-out port with one command; ports --json shows label, source and listening', async () => {
    const origin = await startOrigin((_req, res) => res.end('fixture'));
    const [low, high] = kernelEphemeralRange();
    expect(origin.port >= low && origin.port <= high).toBe(true);
    const { control } = await connect();

    // Left out (ephemeral range): wait says so at once, with why and what to run.
    const waited = await porthole(['wait', String(origin.port), '--timeout', '20s'], control);
    expect(waited.code).toBe(1);
    expect(waited.stderr).toContain(`port ${origin.port} is not exposed: it is in the kernel's ephemeral range`);
    expect(waited.stderr).toContain(`porthole expose ${origin.port}`);

    const exposed = await porthole(['expose', String(origin.port), '--label', 'Test fixture', '--json'], control);
    expect(exposed.code, exposed.stderr).toBe(0);
    const view = JSON.parse(exposed.stdout) as { url: string };
    expect(view).toMatchObject({ port: origin.port, label: 'Test fixture', source: 'expose', listening: true });
    const reply = await request(h.gateway, view.url, { headers: { 'x-porthole-token': await ownerToken(control) } });
    expect(reply.body.toString()).toBe('fixture');

    // An exposed port nothing listens on: listening false.
    const idle = await freePort();
    const plain = await porthole(['expose', String(idle)], control);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout.trim()).toMatch(new RegExp(`^http://${idle}-`));
    expect(plain.stderr).toContain(`porthole login ${idle}`);
    const listed = await porthole(['ports', '--json'], control);
    const ports = JSON.parse(listed.stdout) as Record<string, unknown>[];
    expect(ports.find((p) => p.port === origin.port)).toMatchObject({
      label: 'Test fixture',
      source: 'expose',
      listening: true,
    });
    expect(ports.find((p) => p.port === idle)).toMatchObject({ source: 'expose', listening: false });
    expect(ports.find((p) => p.port === idle)).not.toHaveProperty('label');

    // The watcher names the process of an exposed port it would have left out.
    await waitFor(async () => {
      const { stdout } = await porthole(['ports', '--json'], control);
      const entry = (JSON.parse(stdout) as { port: number; process?: string }[]).find((p) => p.port === origin.port);
      return typeof entry?.process === 'string' && entry.process;
    }, 'the exposed port named with its process');

    // wait on an exposed port answers with its URL.
    expect((await porthole(['wait', String(origin.port), '--timeout', '20s'], control)).stdout.trim()).toBe(view.url);

    const gone = await porthole(['unexpose', String(origin.port), '--json'], control);
    expect(JSON.parse(gone.stdout)).toEqual({ port: origin.port, exposed: false });
    const owner = { headers: { 'x-porthole-token': await ownerToken(control) } };
    await waitFor(async () => (await request(h.gateway, view.url, owner)).status === 503, 'the URL to refuse');
    const again = await porthole(['wait', String(origin.port), '--timeout', '20s'], control);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is not exposed: it was unexposed/);
    const twice = await porthole(['unexpose', String(origin.port)], control);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain(`port ${origin.port} is not exposed`);
  });

  it('refuses the gateway port (exit 1) and bad labels (exit 2)', async () => {
    const { control } = await connect();
    const own = await porthole(['expose', String(h.gateway.port)], control);
    expect(own.code).toBe(1);
    expect(own.stderr).toContain("the Porthole gateway's own port");
    const bad = await porthole(['expose', '3000', '--label', 'x'.repeat(65)], control);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--label: label must be 1 to 64 characters');
  });
});

async function ownerToken(control: string): Promise<string> {
  const { stdout } = await porthole(['token'], control);
  return stdout.trim();
}
