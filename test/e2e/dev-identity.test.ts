/**
 * `porthole dev` with an identity provider, as the README's local setup says: the provider's vars in
 * the state folder's dev.vars reach the local gateway, and `--owner-email`/`--org-domain` make the
 * local session's owner and policy, so the owner signs in and opens the dashboard without a link.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalGateway } from '../../client/dev/gateway';
import { runCli, tempDir } from './cli-run';
import { gatewayGet, signIn } from './oidc/flow';
import { startProvider, type TestProvider } from './oidc/provider';

let provider: TestProvider;

beforeAll(async () => {
  provider = await startProvider();
});
afterAll(async () => {
  await provider?.stop();
});

describe('porthole dev with a provider in dev.vars', () => {
  it('hands OIDC_* to the gateway, warns about unknown names, and the --owner-email owner opens the dashboard signed in', async () => {
    const cwd = tempDir().path;
    const state = join(cwd, 'xdg-state', 'porthole');
    mkdirSync(state, { recursive: true, mode: 0o700 });
    const vars = [
      `OIDC_ISSUER=${provider.issuer}`,
      `OIDC_CLIENT_ID=${provider.clientId}`,
      `OIDC_CLIENT_SECRET=${provider.clientSecret}`,
      'OIDC_ISUER=a-typo',
    ];
    writeFileSync(join(state, 'dev.vars'), `${vars.join('\n')}\n`, { mode: 0o600 });
    const args = ['dev', '--json', '--listen', '127.0.0.1:0', '--no-watch', '--control', join(cwd, 'control.sock')];
    const dev = runCli([...args, '--owner-email', 'alice@example.com', '--org-domain', 'example.com'], cwd);
    const ready = await dev.line((e) => e.event === 'ready');
    const url = new URL(ready.gateway as string);
    const gateway = { url: url.origin, port: Number(url.port) } as LocalGateway;
    provider.register(`${gateway.url}/auth/callback`);
    expect(dev.stderr()).toContain('OIDC_ISUER is not a setting porthole dev passes to the local gateway');
    expect(dev.stderr()).not.toContain(provider.clientSecret);

    const { reply, jar } = await signIn(gateway, 'alice@example.com', { returnTo: `/s/${String(ready.session)}` });
    expect(reply.status, reply.body.toString()).toBe(303);
    const dashboard = await gatewayGet(gateway, jar, `/s/${String(ready.session)}`, { accept: 'text/html' });
    expect(dashboard.status).toBe(200);
    expect(dashboard.body.toString()).toContain('alice@example.com');
    // bob is signed in too, but not the owner.
    const bob = await signIn(gateway, 'bob@example.com');
    const refused = await gatewayGet(gateway, bob.jar, `/s/${String(ready.session)}`, { accept: 'application/json' });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body.toString())).toMatchObject({ error: 'not_owner' });
    await dev.stop();
  });

  it('--owner-email without a provider: exit 1, identity_not_configured, naming the dev.vars to edit', async () => {
    const cwd = tempDir().path;
    const args = ['dev', '--json', '--listen', '127.0.0.1:0', '--no-watch', '--control', join(cwd, 'control.sock')];
    const dev = runCli([...args, '--owner-email', 'alice@example.com'], cwd);
    expect(await dev.exit).toBe(1);
    const last = JSON.parse(dev.stdout().trim().split('\n').at(-1) as string) as Record<string, unknown>;
    expect(last).toMatchObject({ event: 'error', error: 'identity_not_configured' });
    expect(String(last.message)).toContain(`add OIDC_ISSUER and OIDC_CLIENT_ID (and OIDC_CLIENT_SECRET) to ${cwd}`);
  });
});
