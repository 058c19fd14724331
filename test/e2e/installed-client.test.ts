/**
 * The client-only artefact for VM images (README "Install the client in a VM image"): it installs
 * with one npm command and no registry, carries no gateway, stays under 2 MB, and its `porthole`
 * connects a real origin to a real gateway. With $PORTHOLE_CLIENT_PREFIX (CI installs the tarball
 * there the ordinary way, with its optional native helper) the client tests run there too.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './cli-run';
import { afterTest, createSession, request, startHarness, startOrigin } from './harness';
import {
  bytesUnder,
  clientTarball,
  type InstalledClient,
  installedAt,
  installOffline,
  runInstalled,
  shellEnv,
} from './installed-client';
import { connectLocal, ownerToken } from './tcp-kit';

const version = (JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string })
  .version;

let offline: InstalledClient;
beforeAll(async () => {
  offline = installOffline(await clientTarball());
}, 120_000);
afterAll(() => rmSync(offline.prefix, { recursive: true, force: true }));

describe('the client-only package', () => {
  it('installs offline, carries no gateway, and is under 2 MB', () => {
    const manifest = JSON.parse(readFileSync(join(offline.folder, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.name).toBe('porthole-client');
    expect(manifest.bin).toEqual({ porthole: 'cli.js' });
    // Everything is bundled: the only dependency is the optional native helper.
    expect(manifest.dependencies).toBeUndefined();
    expect(Object.keys(manifest.optionalDependencies as object)).toEqual(['bufferutil']);
    // Offline with an empty cache, npm leaves the optional helper out and still installs.
    expect(existsSync(join(offline.folder, 'node_modules'))).toBe(false);
    for (const gatewayPart of ['gateway.js', 'gateway-host.js', 'wrangler.toml'])
      expect(existsSync(join(offline.folder, gatewayPart)), gatewayPart).toBe(false);
    const bytes = bytesUnder(offline.folder, ['node_modules']);
    console.log(`porthole-client installed: ${(bytes / 1e6).toFixed(2)} MB without its optional native helper`);
    expect(bytes).toBeLessThan(2_000_000);
  });

  // Only once the repository builds an SDK (dist/sdk.js, dist/sdk.d.ts): then the package exports it.
  it.skipIf(!existsSync(join(__dirname, '..', '..', 'client', 'sdk')))('exports the SDK as porthole-client/sdk', () => {
    const manifest = JSON.parse(readFileSync(join(offline.folder, 'package.json'), 'utf8')) as { exports?: object };
    expect(manifest.exports).toEqual(expect.objectContaining({ './sdk': { types: './sdk.d.ts', import: './sdk.js' } }));
    expect(existsSync(join(offline.folder, 'sdk.d.ts'))).toBe(true);
    // Imported by name from outside the package, as a platform's code would, with its dependencies bundled.
    const names = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', "console.log(Object.keys(await import('porthole-client/sdk')).sort().join())"],
      { cwd: join(offline.prefix, 'lib'), encoding: 'utf8' },
    );
    expect(names.trim().split(',')).toEqual(
      expect.arrayContaining(['PortholeAdmin', 'PortholeApiError', 'PortholeSession']),
    );
  });

  it('porthole dev says it needs the full checkout, exit 1, and writes no state', async () => {
    const cwd = tempDir().path;
    const dev = runInstalled(offline, ['dev', '--json'], cwd);
    expect(await dev.exit).toBe(1);
    expect(dev.events).toEqual([
      expect.objectContaining({
        event: 'error',
        error: 'gateway_not_included',
        message: expect.stringMatching(/full Porthole checkout/),
      }),
    ]);
    expect(existsSync(join(cwd, 'xdg-state'))).toBe(false);
  });
});

/** Where the client tests run: our offline install, and CI's ordinary one when given. */
const installs: [string, () => InstalledClient][] = [['offline install', () => offline]];
const ciPrefix = process.env.PORTHOLE_CLIENT_PREFIX;
if (ciPrefix) installs.push(['CI install', () => installedAt(ciPrefix)]);

describe.each(installs)('the installed porthole (%s)', (_name, installed) => {
  it('prints its version', async () => {
    const run = runInstalled(installed(), ['--version', '--json'], tempDir().path);
    expect(await run.exit).toBe(0);
    expect(JSON.parse(run.stdout())).toEqual({ version });
  });

  it('connect exposes an origin that a viewer fetches through the preview URL; ports lists it; forward reaches it as TCP', async () => {
    const client = installed();
    const h = await startHarness();
    const { session, token } = await createSession(h);
    const origin = await startOrigin((_req, res) => res.end('from the installed client'));
    const cwd = tempDir().path;
    const tokenFile = join(cwd, 'token');
    writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    const control = join(cwd, 'control.sock');
    const connect = runInstalled(
      client,
      ['connect', '--json', '--gateway', h.gateway.url, '--token-file', tokenFile, '--no-watch'].concat([
        '--port',
        String(origin.port),
        '--visibility',
        `${origin.port}=public`,
        '--control',
        control,
      ]),
      cwd,
    );
    await connect.next('tunnel.up');
    const open = await connect.next('port.open', (e) => e.port === origin.port);
    const reply = await request(h.gateway, open.url as string);
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe('from the installed client');

    const ports = runInstalled(client, ['ports', '--json', '--control', control], cwd);
    expect(await ports.exit).toBe(0);
    expect(JSON.parse(ports.stdout())).toEqual([expect.objectContaining({ port: origin.port, url: open.url })]);

    // The owner's machine: the same package's `porthole forward`, the origin reached as raw TCP.
    const owner = await ownerToken(h, session, token);
    const forward = runInstalled(client, ['forward', `${origin.port}:0`, '--gateway', h.gateway.url, '--json'], cwd, {
      PORTHOLE_OWNER_TOKEN: owner,
    });
    const listening = await forward.next('forwarding');
    const raw = connectLocal(Number(String(listening.local).split(':')[1]));
    raw.socket.end('GET / HTTP/1.0\r\nHost: origin\r\n\r\n');
    const answer = await raw.done;
    expect(answer.text).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nfrom the installed client$/);
    expect(connect.stderr()).toBe('');
    expect(forward.stderr()).toBe('');
  });

  it('porthole mcp (a chunk of its own) answers an MCP client', async () => {
    const cwd = tempDir().path;
    const transport = new StdioClientTransport({
      command: installed().bin,
      args: ['mcp', '--control', join(cwd, 'control.sock')],
      cwd,
      env: shellEnv(cwd) as Record<string, string>,
      stderr: 'pipe',
    });
    const mcp = new Client({ name: 'porthole-install-test', version: '1.0.0' });
    await mcp.connect(transport);
    afterTest(() => mcp.close());
    const { tools } = await mcp.listTools();
    expect(tools.map((t) => t.name)).toContain('list_ports');
  });

  it('ws masks with the native helper when npm installed it', async () => {
    const client = installed();
    const helper = existsSync(join(client.folder, 'node_modules', 'bufferutil'));
    // NODE_DEBUG=module lists what require() loads (ws asks for the helper as the CLI starts),
    // and from where: the package's own node_modules.
    const run = spawnSync(client.bin, ['--version'], {
      env: shellEnv(tempDir().path, { NODE_DEBUG: 'module' }),
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    const loaded = run.stderr.includes(`load "${join(client.folder, 'node_modules', 'bufferutil', 'index.js')}"`);
    expect(loaded, run.stderr.slice(0, 2000)).toBe(helper);
  });
});
