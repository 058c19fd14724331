/**
 * `porthole signout --everywhere` from the command line, through a running
 * `porthole connect`: the owner tokens printed before are refused (401
 * `signed_out`), the client stays connected, and its own calls (which trade
 * the session token anew) keep working.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { root } from '../../scripts/build.mjs';
import { afterTest, createSession, request, startHarness, waitFor } from './harness';

const cli = join(root, 'dist', 'cli.js');

/** Runs the CLI with `env` added; its stdout lines, stderr, and exit code once it closes. Stopped at the test's end. */
function run(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, ...env }, stdio: 'pipe' });
  const lines: string[] = [];
  let stderr = '';
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.once('close', resolve));
  afterTest(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exit;
    }
  });
  return { lines, exit, stderr: () => stderr };
}

describe('porthole signout --everywhere', () => {
  it('revokes the owner tokens printed before; the client stays connected and keeps working', async () => {
    const h = await startHarness();
    const { session, token } = await createSession(h);
    const dir = mkdtempSync(join(tmpdir(), 'porthole-signout-'));
    afterTest(() => rmSync(dir, { recursive: true, force: true }));
    const control = ['--control', join(dir, 'control.sock')];
    const client = run(['connect', '--json', '--no-watch', ...control], {
      PORTHOLE_GATEWAY: h.gateway.url,
      PORTHOLE_TOKEN: token,
    });
    await waitFor(() => client.lines.some((l) => l.includes('"tunnel.up"')), 'tunnel.up', 20_000);

    const printed = run(['token', ...control]);
    expect(await printed.exit).toBe(0);
    const before = printed.lines[0] as string;
    const status = (bearer: string) =>
      request(h.gateway, `/api/sessions/${session}/status`, {
        headers: { authorization: `Bearer ${bearer}`, accept: 'application/json' },
      });
    expect((await status(before)).status).toBe(200);

    const unsure = run(['signout', ...control]);
    expect(await unsure.exit).toBe(2);
    expect(unsure.stderr()).toContain('--everywhere');

    const signout = run(['signout', '--everywhere', '--json', ...control]);
    expect(await signout.exit).toBe(0);
    expect(JSON.parse(signout.lines[0] as string)).toEqual({ session, signedOut: true, epoch: 1 });
    const refused = await status(before);
    expect([refused.status, JSON.parse(refused.body.toString()).error]).toEqual([401, 'signed_out']);

    // The client kept its tunnel and its own calls work (its owner token was traded anew).
    const links = run(['links', '--json', ...control]);
    expect(await links.exit).toBe(0);
    const after = run(['token', ...control]);
    expect(await after.exit).toBe(0);
    expect((await status(after.lines[0] as string)).status).toBe(200);
    // Signed out from elsewhere (the dashboard's button): the client's next call trades its token anew too.
    const elsewhere = await request(h.gateway, `/api/sessions/${session}/signout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${after.lines[0]}`, accept: 'application/json' },
    });
    expect(elsewhere.status).toBe(200);
    const again = run(['links', '--json', ...control]);
    expect(await again.exit, again.stderr()).toBe(0);
    expect(client.lines.some((l) => l.includes('"tunnel.down"'))).toBe(false);
  });
});
