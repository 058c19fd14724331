/**
 * The "done" story, as an agent would live it: `porthole dev` runs, the agent's server
 * listens, and the agent, through `porthole mcp` only (the SDK's Client over stdio), waits for the
 * port, shares it with a link, sees the reviewer's requests (a real Chromium with the link) with
 * their status, reads the reviewer's POST in full, and replays it to the server.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, runCli, tempDir } from '../e2e/cli-run';
import { waitFor } from '../e2e/harness';
import { callTool, type McpSession, startMcp } from '../e2e/mcp-client';
import { freePorts } from '../e2e/servers';
import { browserTests, launchChromium } from './chromium';

const PAGE = `<!doctype html><title>app</title><p>the app</p>`;

describe.skipIf(!browserTests)('an agent through porthole mcp', () => {
  let cwd: string;
  let control: string;
  let dev: CliRun;
  let browser: Browser;
  let app: http.Server;
  let port: number;
  /** The bodies of the POSTs that reached the app. */
  const feedback: string[] = [];
  let folder: { remove(): void };

  beforeAll(async () => {
    const dir = tempDir();
    folder = dir;
    cwd = dir.path;
    control = `${cwd}/control.sock`;
    [port] = (await freePorts(1)) as [number];
    dev = runCli(['dev', '--json', '--listen', '127.0.0.1:0', '--only', String(port), '--control', control], cwd);
    await dev.line((l) => l.event === 'ready');
    browser = await launchChromium();
    app = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        if (req.method === 'POST') {
          feedback.push(body);
          res.writeHead(201, { 'content-type': 'application/json' }).end('{"saved":true}');
        } else res.writeHead(200, { 'content-type': 'text/html' }).end(PAGE);
      });
    });
    await new Promise<void>((resolve) => app.listen(port, '127.0.0.1', resolve));
    expect((app.address() as AddressInfo).port).toBe(port);
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => app?.close(resolve));
    await dev?.stop();
    folder?.remove();
  });

  it("sees the reviewer's requests and their status, and replays the reviewer's POST", async () => {
    const mcp: McpSession = await startMcp(control, cwd);
    const call = async (name: string, args: Record<string, unknown> = {}) => {
      const answer = await callTool(mcp, name, args, 'items');
      expect(answer.isError, `${name}: ${JSON.stringify(answer.value)}`).toBe(false);
      return answer.value as Record<string, unknown>;
    };

    await call('wait_for_port', { port, status: '2xx', timeout: '20s' });
    await call('set_visibility', { port, visibility: 'link' });
    const link = await call('create_link', { port, label: 'reviewer', ttl: '1h' });

    // The reviewer: a fresh profile opens the link and sends feedback from the page.
    const context = await browser.newContext();
    const page = await context.newPage();
    const opened = await page.goto(link.url as string);
    expect(opened?.status()).toBe(200);
    const posted = await page.evaluate(() =>
      fetch('/api/feedback', { method: 'POST', body: 'looks good', headers: { 'content-type': 'text/plain' } }).then(
        (r) => r.status,
      ),
    );
    expect(posted).toBe(201);
    await context.close();

    // The agent sees both, as the reviewer's (the link's) requests, with the status the app gave.
    const seen = await waitFor(async () => {
      const list = (await callTool(mcp, 'list_requests', { port, viewer: 'link' }, 'requests')).value as Record<
        string,
        unknown
      >[];
      return list.some((r) => r.method === 'POST' && r.state === 'done') && list;
    }, "the reviewer's POST in list_requests");
    const post = seen.find((r) => r.method === 'POST')!;
    expect(post).toMatchObject({ path: '/api/feedback', status: 201, viewer: { kind: 'link', link: link.id } });
    expect(seen.find((r) => r.method === 'GET')).toMatchObject({ status: 200, viewer: { kind: 'link' } });

    const full = await call('get_request', { id: post.id });
    expect(full).toMatchObject({
      request: { body: { text: 'looks good' } },
      response: { body: { text: '{"saved":true}' } },
    });

    const replayed = await call('replay_request', { id: post.id });
    expect(replayed).toMatchObject({ replayOf: post.id, status: 201, viewer: { kind: 'replay' } });
    expect(feedback).toEqual(['looks good', 'looks good']);
  });
});
