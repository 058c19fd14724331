/**
 * `porthole session status` and `porthole session end` (client/cli/session.ts, through the SDK)
 * against a live gateway with the real client: with the session token, or the admin token and
 * --session; as text and with --json; an ended session answers 410 session_ended, exit 3.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PortholeAdmin } from '../../client/sdk';
import { runCli, tempDir } from './cli-run';
import { startAgent, startHarness, startOrigin } from './harness';

describe('porthole session status and end', () => {
  it('status with the session token or the admin token, end, and an ended session exits 3', async () => {
    const h = await startHarness();
    const created = await new PortholeAdmin({ gateway: h.gateway.url, adminToken: h.adminToken }).createSession({
      ttlSeconds: 3600,
    });
    const origin = await startOrigin((_req, res) => res.end('app'));
    await startAgent(h, [origin.port], { token: created.token, session: created.session });
    const cwd = tempDir().path;
    const adminFile = join(cwd, 'admin-token');
    writeFileSync(adminFile, `${h.adminToken}\n`, { mode: 0o600 });
    const gateway = ['--gateway', h.gateway.url];
    const asSession = { PORTHOLE_TOKEN: created.token, PORTHOLE_ADMIN_TOKEN: '' };
    const asAdmin = ['--session', created.session, '--admin-token-file', adminFile];

    const json = runCli(['session', 'status', ...gateway, '--json'], cwd, asSession);
    expect(await json.exit, json.stderr()).toBe(0);
    const status = JSON.parse(json.stdout()) as Record<string, unknown>;
    expect(status).toMatchObject({ session: created.session, state: 'active', tunnel: 'connected', ports: 1 });
    expect(Math.abs(Date.parse(String(status.expiresAt)) - Date.parse(created.expiresAt))).toBeLessThan(1000);

    const text = runCli(['session', 'status', ...gateway], cwd, asSession);
    expect(await text.exit, text.stderr()).toBe(0);
    expect(text.stdout()).toContain(`session   ${created.session}\nstate     active\ntunnel    connected since `);
    expect(text.stdout()).toContain('ports     1\n');

    const byAdmin = runCli(['session', 'status', ...gateway, ...asAdmin, '--json'], cwd, { PORTHOLE_TOKEN: '' });
    expect(await byAdmin.exit, byAdmin.stderr()).toBe(0);
    expect(JSON.parse(byAdmin.stdout())).toMatchObject({ session: created.session, tunnel: 'connected' });

    const end = runCli(['session', 'end', ...gateway, '--json'], cwd, asSession);
    expect(await end.exit, end.stderr()).toBe(0);
    const ended = JSON.parse(end.stdout()) as Record<string, unknown>;
    expect(ended).toMatchObject({ session: created.session, state: 'ended' });
    expect(Math.abs(Date.parse(String(ended.endedAt)) - Date.now())).toBeLessThan(60_000);

    // Ended: status and a second end answer 410 session_ended, exit 3, with the session token or as the admin.
    const after = runCli(['session', 'status', ...gateway, '--json'], cwd, asSession);
    expect(await after.exit).toBe(3);
    expect(JSON.parse(after.stdout())).toMatchObject({ error: 'session_ended', status: 410 });
    const again = runCli(['session', 'end', ...gateway, ...asAdmin], cwd, { PORTHOLE_TOKEN: '' });
    expect(await again.exit).toBe(3);
    expect(again.stderr()).toMatch(/^porthole session: .*ended/);
  });
});
