/**
 * `porthole mcp` as an agent host runs it: nothing but JSON-RPC on stdout, an end soon after stdin
 * closes, and `no_client` (saying what to start) while no porthole client runs.
 */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli as cliPath } from './cli-run';
import { afterTest, waitFor } from './harness';
import { callTool, cliJson, type DevFixture, startDev, startMcp } from './mcp-client';

describe('porthole mcp over stdio', () => {
  let f: DevFixture;
  let port: number;
  let spare: number;
  let control: string;
  let cwd: string;
  const cli = (...args: string[]) => cliJson(args, control, cwd);

  beforeAll(async () => {
    f = await startDev();
    ({ port, spare, control, cwd } = f);
  });
  afterAll(async () => {
    await f?.stop();
  });

  it('writes nothing but JSON-RPC on stdout, and ends (exit 0) when stdin closes', async () => {
    const child = spawn(process.execPath, [cliPath, 'mcp', '--control', control], { cwd, stdio: 'pipe' });
    afterTest(() => child.kill('SIGKILL'));
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exit = new Promise<number | null>((resolve) => child.once('close', resolve));
    const message = (id: number, method: string, params: unknown) =>
      `${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`;
    child.stdin.write(
      message(1, 'initialize', {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'raw', version: '0' },
      }),
    );
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' })}\n`);
    child.stdin.write(message(2, 'tools/call', { name: 'expose', arguments: { port: spare, label: 'Raw' } }));
    await waitFor(() => stdout.includes('"id":2'), 'the answer to tools/call', 20_000);
    // A call still in flight (a wait that would last two minutes) does not keep it alive once stdin closes.
    child.stdin.write(
      message(3, 'tools/call', { name: 'wait_for_port', arguments: { port, status: 404, timeout: 120 } }),
    );
    child.stdin.end();
    const bound = new Promise((resolve) => setTimeout(resolve, 10_000, 'still running 10 s after stdin closed'));
    expect(await Promise.race([exit, bound])).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { jsonrpc: string; id: number }).id)).toEqual([1, 2]);
    // The expose tool warned (a private port, nothing listening): on stderr and in the JSON, not as a stdout line.
    const answer = JSON.parse(lines[1]!) as { result: { structuredContent: { warnings?: string[] } } };
    expect(answer.result.structuredContent.warnings?.length).toBeGreaterThan(0);
    await cli('unexpose', String(spare));
  });

  it('with no client running, a tool answers no_client saying to start porthole dev or connect', async () => {
    mkdirSync(join(cwd, 'none'), { mode: 0o700 });
    const alone = await startMcp(join(cwd, 'none', 'control.sock'), cwd);
    const answer = await callTool(alone, 'list_ports', {}, 'ports');
    expect(answer.isError).toBe(true);
    expect(answer.value).toMatchObject({ error: 'no_client', message: expect.stringContaining("'porthole dev'") });
    expect(answer).toEqual(await cliJson(['ports'], join(cwd, 'none', 'control.sock'), cwd));
  });
});
