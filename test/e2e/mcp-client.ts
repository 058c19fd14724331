/**
 * A real MCP client (the official SDK's Client over StdioClientTransport) spawning the built
 * `porthole mcp`, for the MCP server's tests; and the CLI's `--json` answer to compare with.
 */
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import http from 'node:http';
import { join } from 'node:path';
import { expect } from 'vitest';
import { afterTest } from './harness';
import { cli, runCli, tempDir } from './cli-run';
import { freePorts, nodeServer } from './servers';

export interface McpSession {
  client: Client;
  /** What `porthole mcp` wrote on stderr so far. */
  stderr(): string;
  close(): Promise<void>;
}

/** Starts `node dist/cli.js mcp --control <control>` and connects an MCP client to it over stdio. */
export async function startMcp(control: string, cwd: string): Promise<McpSession> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [cli, 'mcp', '--control', control],
    cwd,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: 'porthole-test', version: '1.0.0' });
  await client.connect(transport);
  const close = () => client.close();
  afterTest(close);
  return { client, stderr: () => stderr, close };
}

/** A tool's answer as an agent reads it: the text's JSON (checked equal to structuredContent) and isError. */
export interface ToolAnswer {
  value: unknown;
  isError: boolean;
}

/** Calls tool `name`; checks the text content and structuredContent say the same JSON (`listKey` wraps a list). */
export async function callTool(
  mcp: McpSession,
  name: string,
  args: Record<string, unknown> = {},
  listKey?: string,
): Promise<ToolAnswer> {
  const result = await mcp.client.callTool({ name, arguments: args });
  const content = result.content as { type: string; text: string }[];
  expect(content, `${name}: one text content`).toHaveLength(1);
  expect(content[0]!.type).toBe('text');
  const value = JSON.parse(content[0]!.text) as unknown;
  expect(result.structuredContent, `${name}: structuredContent is the same JSON`).toEqual(
    listKey && Array.isArray(value) ? { [listKey]: value } : value,
  );
  return { value, isError: result.isError === true };
}

/** `porthole <args> --json --control <control>`: its JSON and whether it failed (exit ≠ 0). */
export async function cliJson(args: string[], control: string, cwd: string): Promise<ToolAnswer> {
  const run = runCli([...args, '--json', '--control', control], cwd);
  const code = await run.exit;
  return { value: JSON.parse(run.stdout()) as unknown, isError: code !== 0 };
}

/** GET or POST `route` on the control socket: the control API's JSON (what `porthole requests --json` prints). */
export function controlJson(control: string, method: string, route: string, body?: unknown): Promise<ToolAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: control, method, path: route }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ value: JSON.parse(text) as unknown, isError: (res.statusCode ?? 500) >= 400 }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** `value` without the fields that differ between two calls of the same action (tokens, ids, times). */
export function stable(value: unknown, ...fields: string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => stable(v, ...fields));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(Object.entries(value).filter(([key]) => !fields.includes(key)));
}

/**
 * GET `path` on the port whose URL is `url`, through the gateway at `gateway` as the owner (token):
 * connects to the gateway and names the port's host in the Host header (Node does not resolve
 * `*.localhost`, and fetch drops a Host header).
 */
export function viaGateway(
  url: string,
  gateway: string,
  token: string,
  path: string,
): Promise<{ status: number; body: string }> {
  const base = new URL(gateway);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: base.hostname === 'localhost' || base.hostname.endsWith('.localhost') ? '127.0.0.1' : base.hostname,
        port: base.port,
        path,
        headers: { host: new URL(url).host, 'x-porthole-token': token },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** A running `porthole dev` (its own folder, gateway and control socket) and a server on `port`. */
export interface DevFixture {
  cwd: string;
  control: string;
  /** The local gateway's URL (dev's `ready` event). */
  gateway: string;
  /** Answers `hello from the app` (a node server in a child process). */
  port: number;
  /** In dev's --only too, but nothing listens on it: for expose and unexpose. */
  spare: number;
  stop(): Promise<void>;
}

/** Starts `porthole dev --only <port>,<spare>` and the server on `port`; resolves once the port is open. */
export async function startDev(): Promise<DevFixture> {
  const folder = tempDir();
  const cwd = folder.path;
  const control = join(cwd, 'control.sock');
  const [port, spare] = (await freePorts(2)) as [number, number];
  const dev = runCli(
    ['dev', '--json', '--listen', '127.0.0.1:0', '--only', `${port},${spare}`, '--control', control],
    cwd,
  );
  const gateway = (await dev.line((l) => l.event === 'ready')).gateway as string;
  const server = await nodeServer(port, '127.0.0.1', 'hello from the app');
  await dev.line((l) => l.event === 'port.open' && l.port === port);
  const stop = async () => {
    await server.stop();
    await dev.stop();
    folder.remove();
  };
  return { cwd, control, gateway, port, spare, stop };
}
