/**
 * `porthole mcp` answers a real MCP client (the SDK's Client over stdio, spawning the built CLI)
 * for every tool, against a real `porthole dev` (gateway in workerd, client, a real origin); each
 * tool's JSON is what the CLI prints with --json for the same action, run here too and compared.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { root } from '../../scripts/build.mjs';
import {
  callTool,
  cliJson,
  controlJson,
  type DevFixture,
  type McpSession,
  stable,
  startDev,
  startMcp,
  viaGateway,
} from './mcp-client';

const TOOLS = [
  'list_ports',
  'wait_for_port',
  'expose',
  'unexpose',
  'set_visibility',
  'create_link',
  'list_links',
  'revoke_link',
  'login_url',
  'list_requests',
  'get_request',
  'replay_request',
];

/** Both answers expire about `ttl` seconds from now (the ttl reached the gateway), within seconds of each other. */
function expectSoon(tool: unknown, cli: unknown, ttl: number): void {
  const at = (value: unknown) => Date.parse((value as { expiresAt: string }).expiresAt);
  expect(Math.abs(at(tool) - at(cli))).toBeLessThan(5_000);
  expect(Math.abs(at(tool) - (Date.now() + ttl * 1000))).toBeLessThan(10_000);
}

describe('porthole mcp', () => {
  let f: DevFixture;
  let port: number;
  let spare: number;
  let control: string;
  let gateway: string;
  let mcp: McpSession;
  const cli = (...args: string[]) => cliJson(args, control, f.cwd);
  const call = (name: string, args: Record<string, unknown> = {}, listKey?: string) =>
    callTool(mcp, name, args, listKey);

  beforeAll(async () => {
    f = await startDev();
    ({ port, spare, control, gateway } = f);
    mcp = await startMcp(control, f.cwd);
  });
  afterAll(async () => {
    await mcp?.close();
    await f?.stop();
  });

  it('lists every tool with a description and an input schema, as server "porthole" of the CLI\'s version', async () => {
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(mcp.client.getServerVersion()).toMatchObject({ name: 'porthole', version });
    const { tools } = await mcp.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual([...TOOLS].sort());
    for (const tool of tools) {
      expect(tool.description?.length, tool.name).toBeGreaterThan(60);
      expect(tool.inputSchema.type).toBe('object');
    }
    const schema = (name: string) => tools.find((t) => t.name === name)!.inputSchema;
    expect(schema('wait_for_port').required).toEqual(['port']);
    expect(Object.keys(schema('wait_for_port').properties ?? {}).sort()).toEqual(['port', 'status', 'timeout']);
    expect(schema('set_visibility').properties?.visibility).toMatchObject({
      enum: ['private', 'org', 'link', 'public'],
    });
    expect(Object.keys(schema('list_requests').properties ?? {}).sort()).toEqual(
      ['limit', 'method', 'path', 'port', 'status', 'viewer'].sort(),
    );
    expect(schema('replay_request').required).toEqual(['id']);
    expect(mcp.stderr()).toContain('porthole mcp: 12 tools');
  });

  it('list_ports and wait_for_port answer as porthole ports and porthole wait', async () => {
    const waited = await call('wait_for_port', { port, timeout: '20s' });
    expect(waited).toEqual(await cli('wait', String(port), '--timeout', '20s'));
    expect(waited.value).toMatchObject({ port, url: expect.stringMatching(/^http:/) });
    // `status`: the origin answers 200, so "2xx" is met at once and 404 never is (the timeout says what came).
    const ok = await call('wait_for_port', { port, status: '2xx' });
    expect(ok).toEqual(await cli('wait', String(port), '--status', '2xx'));
    const never = await call('wait_for_port', { port, status: 404, timeout: 1 });
    expect(never).toEqual({
      value: {
        error: 'timeout',
        message: expect.stringContaining('did not answer'),
        port,
        lastAnswer: '200 from the server',
      },
      isError: true,
    });
    expect(never).toEqual(await cli('wait', String(port), '--status', '404', '--timeout', '1'));
    // A long wait reports progress when asked, so a host that resets its timeout on progress keeps waiting.
    const ticks: number[] = [];
    const long = await mcp.client.callTool(
      { name: 'wait_for_port', arguments: { port, status: 404, timeout: 4 } },
      undefined,
      { timeout: 2_500, resetTimeoutOnProgress: true, onprogress: (p) => ticks.push(p.progress) },
    );
    expect(long.isError).toBe(true);
    expect(long.structuredContent).toMatchObject({ error: 'timeout', lastAnswer: '200 from the server' });
    expect(ticks.length).toBeGreaterThanOrEqual(2);
    const listed = await call('list_ports', {}, 'ports');
    expect(listed).toEqual(await cli('ports'));
    expect(listed.value).toEqual(expect.arrayContaining([expect.objectContaining({ port })]));
  });

  it('expose, set_visibility and unexpose answer as porthole expose, share and unexpose', async () => {
    const exposed = await call('expose', { port: spare, label: 'Spare', visibility: 'link' });
    expect(exposed.isError).toBe(false);
    expect(exposed.value).toMatchObject({ port: spare, label: 'Spare', visibility: 'link', listening: false });
    // Exposing again is the same action: the CLI answers the same JSON (warnings included).
    expect(exposed).toEqual(await cli('expose', String(spare), '--label', 'Spare', '--visibility', 'link'));

    const shared = await call('set_visibility', { port: spare, visibility: 'public' });
    expect(shared.value).toMatchObject({ port: spare, visibility: 'public' });
    expect(shared).toEqual(await cli('share', String(spare), 'public'));

    const unexposed = await call('unexpose', { port: spare });
    expect(unexposed).toEqual({ value: { port: spare, exposed: false }, isError: false });
    await cli('expose', String(spare));
    expect(unexposed).toEqual(await cli('unexpose', String(spare)));
    // Now a refusal: the same failure JSON as the CLI's, with isError.
    const refused = await call('unexpose', { port: spare });
    expect(refused.isError).toBe(true);
    expect(refused.value).toMatchObject({ error: 'port_not_exposed', message: expect.any(String) });
    expect(refused).toEqual(await cli('unexpose', String(spare)));
  });

  it('create_link, list_links, revoke_link and login_url answer as porthole link, links, revoke and login', async () => {
    const made = await call('create_link', { port, ttl: 3600, label: 'for review' });
    expect(made.value).toMatchObject({ port, label: 'for review', id: expect.any(String), url: expect.any(String) });
    const byCli = await cli('link', String(port), '--ttl', '3600', '--label', 'for review');
    expect(stable(made, 'value')).toEqual(stable(byCli, 'value'));
    expect(stable(made.value, 'id', 'url', 'expiresAt')).toEqual(stable(byCli.value, 'id', 'url', 'expiresAt'));
    expectSoon(made.value, byCli.value, 3600);

    const listed = await call('list_links', {}, 'links');
    const linksByCli = await cli('links');
    // A listed link's URL is signed anew at each listing (its token's iat): compare the rest.
    expect(stable(listed, 'value')).toEqual(stable(linksByCli, 'value'));
    expect(stable(listed.value, 'url')).toEqual(stable(linksByCli.value, 'url'));
    const ids = (listed.value as { id: string }[]).map((l) => l.id);
    expect(ids).toEqual(
      expect.arrayContaining([(made.value as { id: string }).id, (byCli.value as { id: string }).id]),
    );

    const revoked = await call('revoke_link', { id: (made.value as { id: string }).id });
    expect(revoked.value).toMatchObject({ id: (made.value as { id: string }).id, port });
    const revokedByCli = await cli('revoke', (byCli.value as { id: string }).id);
    expect(stable(revoked.value, 'id', 'url', 'expiresAt')).toEqual(
      stable(revokedByCli.value, 'id', 'url', 'expiresAt'),
    );
    expect(revoked.isError || revokedByCli.isError).toBe(false);

    const login = await call('login_url', { port, ttl: '5m' });
    expect(login.value).toMatchObject({ port, url: expect.stringMatching(/^http:/), expiresAt: expect.any(String) });
    const loginByCli = await cli('login', String(port), '--ttl', '5m');
    expect(stable(login, 'value')).toEqual(stable(loginByCli, 'value'));
    expect(stable(login.value, 'url', 'expiresAt')).toEqual(stable(loginByCli.value, 'url', 'expiresAt'));
    expectSoon(login.value, loginByCli.value, 300);
  });

  it('list_requests, get_request and replay_request answer as porthole requests and porthole replay', async () => {
    // A request through the gateway, as the owner (wait_for_port's probes are in the log too).
    const { value: owner } = await cli('token');
    const { value: waited } = await cli('wait', String(port));
    const reply = await viaGateway(
      (waited as { url: string }).url,
      gateway,
      (owner as { token: string }).token,
      '/hello?x=1',
    );
    expect(reply).toEqual({ status: 200, body: 'hello from the app' });

    const listed = await call('list_requests', { port, method: 'get', path: '/hello', limit: 5 }, 'requests');
    expect(listed).toEqual(
      await cli('requests', '--port', String(port), '--method', 'get', '--path', '/hello', '--limit', '5'),
    );
    expect(listed.value).toEqual([
      expect.objectContaining({ path: '/hello?x=1', status: 200, viewer: { kind: 'owner' } }),
    ]);
    expect(listed.value).toEqual(
      (await controlJson(control, 'GET', `/v1/requests?port=${port}&method=get&path=/hello&limit=5`)).value,
    );
    const none = await call('list_requests', { status: '5xx', viewer: 'link' }, 'requests');
    expect(none).toEqual(await cli('requests', '--status', '5xx', '--viewer', 'link'));

    const { id } = (listed.value as { id: number }[])[0]!;
    const read = await call('get_request', { id });
    expect(read).toEqual(await cli('requests', String(id)));
    expect(read.value).toMatchObject({ id, response: { body: { text: 'hello from the app' } } });

    const replayed = await call('replay_request', { id });
    expect(replayed.isError).toBe(false);
    expect(replayed.value).toMatchObject({
      replayOf: id,
      port,
      path: '/hello?x=1',
      viewer: { kind: 'replay' },
      status: 200,
    });
    const byCli = await cli('replay', String(id));
    const changing = ['id', 'time', 'headMs', 'totalMs', 'response'];
    expect(stable(replayed.value, ...changing)).toEqual(stable(byCli.value, ...changing));
    const body = (value: unknown) => (value as { response: { body: unknown } }).response.body;
    expect(body(replayed.value)).toEqual(body(byCli.value));

    const missing = await call('get_request', { id: 999_999 });
    expect(missing).toEqual(await cli('requests', '999999'));
    expect(missing).toMatchObject({ isError: true, value: { error: 'request_not_found', status: 404 } });
    const unreplayable = await call('replay_request', { id: 999_999, port });
    expect(unreplayable).toEqual(await cli('replay', '999999', '--port', String(port)));
    expect(unreplayable).toMatchObject({ isError: true, value: { error: 'request_not_found' } });
  });

  it("a bad input is an error result: the CLI's usage JSON, or the schema's refusal", async () => {
    const badTtl = await call('create_link', { port, ttl: 'forever' });
    expect(badTtl.isError).toBe(true);
    expect(badTtl.value).toMatchObject({ error: 'usage', message: expect.stringContaining('--ttl') });
    expect(badTtl).toEqual(await cli('link', String(port), '--ttl', 'forever'));
    const badPort = await call('expose', { port: 70_000 });
    expect(badPort).toEqual(await cli('expose', '70000'));
    expect(badPort).toMatchObject({ isError: true, value: { error: 'usage' } });
    const badFilter = await call('list_requests', { status: 'teapot' }, 'requests');
    expect(badFilter).toEqual(await cli('requests', '--status', 'teapot'));
    expect(badFilter).toMatchObject({
      isError: true,
      value: { error: 'usage', message: expect.stringContaining('--status') },
    });
    // A wrong type never reaches the tool: the SDK refuses it against the schema, as an error result.
    const wrongType = await mcp.client.callTool({
      name: 'set_visibility',
      arguments: { port, visibility: 'everyone' },
    });
    expect(wrongType.isError).toBe(true);
    expect(JSON.stringify(wrongType.content)).toContain('visibility');
  });
});
