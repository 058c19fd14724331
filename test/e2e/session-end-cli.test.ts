/**
 * The CLI when its session ends (issue 19 item 1, docs/cli.md exit codes): `porthole connect`
 * exits 3 with `session_ended`; `porthole dev` exits 3 when its session ends while it runs, and
 * replaces a saved session that has ended since with a new one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statePaths } from '../../client/local/state-dir';
import { runCli, tempDir } from './cli-run';
import { createSession, type Harness, request, startHarness } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('porthole connect, when its session ends', () => {
  it('prints why and exits 3 with error session_ended', async () => {
    const { session, token } = await createSession(h);
    const cwd = tempDir().path;
    const args = ['connect', '--json', '--gateway', h.gateway.url, '--no-watch', '--control', `${cwd}/c.sock`];
    const run = runCli(args, cwd, { PORTHOLE_TOKEN: token });
    await run.line((line) => line.event === 'tunnel.up');
    const reply = await request(h.gateway, `/api/sessions/${session}`, {
      method: 'DELETE',
      headers: bearer(h.adminToken),
    });
    expect(reply.status).toBe(200);
    expect(await run.exit).toBe(3);
    const last = run.stdout().trim().split('\n').at(-1) ?? '';
    expect(JSON.parse(last)).toMatchObject({
      event: 'error',
      error: 'session_ended',
      message: 'the session has ended (ended by the operator)',
    });
    // Started again on the ended session: refused at once, the same way.
    const again = runCli(args, cwd, { PORTHOLE_TOKEN: token });
    expect(await again.exit).toBe(3);
    expect(JSON.parse(again.stdout().trim().split('\n').at(-1) ?? '')).toMatchObject({ error: 'session_ended' });
  });
});

describe('porthole dev, when its session ends', () => {
  it('exits 3 when it ends while running; started again, it makes a new session instead of the ended one', async () => {
    const cwd = tempDir().path;
    const state = join(cwd, 'state');
    const args = ['dev', '--json', '--listen', '127.0.0.1:0', '--no-watch', '--state-dir', state];
    const first = runCli([...args, '--control', join(cwd, 'one.sock')], cwd);
    const ready = await first.line((line) => line.event === 'ready');
    const saved = JSON.parse(readFileSync(statePaths(state).session, 'utf8')) as { session: string; token: string };
    expect(saved.session).toBe(ready.session);
    const gateway = { url: String(ready.gateway), port: Number(new URL(String(ready.gateway)).port) };
    const ended = await request(gateway as Harness['gateway'], `/api/sessions/${saved.session}`, {
      method: 'DELETE',
      headers: bearer(saved.token),
    });
    expect(ended.status).toBe(200);
    expect(await first.exit).toBe(3);
    expect(JSON.parse(first.stdout().trim().split('\n').at(-1) ?? '')).toMatchObject({ error: 'session_ended' });

    const second = runCli([...args, '--control', join(cwd, 'two.sock')], cwd);
    const again = await second.line((line) => line.event === 'ready');
    expect(again.session).not.toBe(saved.session);
    expect(second.stdout()).not.toContain('"error"');
  });
});
