/**
 * A second `porthole connect` on a control socket another client holds exits 1 without dialing the
 * gateway: before, it connected first (taking the session over, so the running client exited 1 with
 * "another client took over this session") and only then found the socket taken, leaving the
 * session with no client at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './cli-run';
import { createSession, type Harness, request, startHarness } from './harness';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

describe('porthole connect on a busy control socket', () => {
  it('exits 1 before dialing, and the running client keeps its session', async () => {
    const { session, token } = await createSession(h);
    const cwd = tempDir().path;
    const args = ['connect', '--json', '--gateway', h.gateway.url, '--no-watch', '--control', `${cwd}/c.sock`];
    const first = runCli(args, cwd, { PORTHOLE_TOKEN: token });
    const up = await first.line((line) => line.event === 'tunnel.up');

    const second = runCli(args, cwd, { PORTHOLE_TOKEN: token });
    expect(await second.exit).toBe(1);
    expect(second.stdout() + second.stderr()).toContain('another porthole client is running');
    expect(second.stdout()).not.toContain('"tunnel.up"');

    const info = await request(h.gateway, `/api/sessions/${session}`, {
      headers: { authorization: `Bearer ${h.adminToken}` },
    });
    expect(JSON.parse(info.body.toString())).toMatchObject({ tunnel: 'connected' });
    expect(first.child.exitCode).toBeNull();
    expect(first.stdout()).not.toContain('"tunnel.down"');
    expect(up.event).toBe('tunnel.up');
  });
});
