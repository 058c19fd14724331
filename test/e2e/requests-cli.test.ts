/**
 * `porthole requests` and `porthole replay` (the real CLI bundle) against a running client's
 * control socket, with its log filled by real traffic through the gateway: lines like ngrok's
 * inspector, filters, one request in full (credentials redacted, binary as size and SHA-256,
 * control characters escaped), --json exactly the control API's JSON, --follow printing a new
 * request as it ends, and replay's answer and exit codes.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { lookup } from '../../client/net/lookup';
import { callJson } from '../../client/control/client';
import { ControlServer } from '../../client/control/server';
import type { RequestRecord, RequestSummary } from '../../client/requests/record';
import { type CliRun, runCli, tempDir } from './cli-run';
import {
  afterTest,
  freePort,
  type Harness,
  request,
  type RunningAgent,
  startAgent,
  startHarness,
  startOrigin,
  waitFor,
} from './harness';

const BINARY = Buffer.from([0, 1, 2, 3, 0xff, 0xfe, 0x1b, 0x9b]);

let h: Harness;
let a: RunningAgent;
let socket: string;
let cwd: string;
let url: string;
let downUrl: string;
let hits = 0;
let server: ControlServer;
let folder: { path: string; remove(): void };

beforeAll(async () => {
  h = await startHarness();
  const origin = await startOrigin((req, res) => {
    hits++;
    const path = req.url ?? '/';
    if (path.startsWith('/boom')) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('it broke');
    } else if (path.startsWith('/binary')) {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      res.end(BINARY);
    } else if (path.startsWith('/evil')) {
      // A C1 CSI in a header (obs-text, latin1) and in a text body: a terminal must never get them raw.
      res.writeHead(200, { 'content-type': 'text/plain', 'x-evil': 'a\u009b2Jb' });
      res.end('line one\nclear\u009b2J here');
    } else {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/plain', 'set-cookie': 'sid=origin-secret; Path=/' });
        res.end(`hello ${hits}`);
      });
    }
  });
  const down = await freePort();
  a = await startAgent(h, [origin.port, down]);
  folder = tempDir();
  cwd = folder.path;
  socket = join(cwd, 'control', 'control.sock');
  server = await ControlServer.start(a.agent, socket);
  url = await a.agent.url(origin.port);
  downUrl = await a.agent.url(down);
  const post = await request(h.gateway, `${url}api/items?x=1`, {
    method: 'POST',
    headers: { cookie: 'app_session=s3cret', 'content-type': 'application/json' },
    body: '{"name":"first"}',
  });
  expect(post.status).toBe(200);
  expect((await request(h.gateway, `${url}boom`)).status).toBe(500);
  expect((await request(h.gateway, `${url}binary`)).status).toBe(200);
  expect((await request(h.gateway, `${url}evil`)).status).toBe(200);
  expect((await request(h.gateway, `${downUrl}nothing`)).status).toBe(502);
  await waitFor(() => a.agent.requests.list().filter((r) => r.state !== 'open').length === 5, 'five requests logged');
});
afterAll(async () => {
  server?.close();
  a?.agent.stop();
  await h?.stop();
  folder?.remove();
});

/** `porthole <args> --control <socket>` run to its end: exit code, stdout, stderr. */
async function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const run = runCli([...args, '--control', socket], cwd);
  const code = await run.exit;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}

const logged = (path: string) => a.agent.requests.list({ path }).at(-1) as RequestSummary;

describe('porthole requests', () => {
  it('--json prints exactly the control API list; filters narrow it', async () => {
    const all = await cli('requests', '--json');
    expect(all.code, all.stderr).toBe(0);
    expect(JSON.parse(all.stdout)).toEqual(await callJson(socket, 'GET', '/v1/requests'));
    const failed = JSON.parse((await cli('requests', '--status', '5xx', '--json')).stdout) as RequestSummary[];
    expect(failed.map((r) => [r.path, r.status, r.error?.code])).toEqual([
      ['/boom', 500, undefined],
      ['/nothing', 502, 'origin_unreachable'],
    ]);
    const errors = JSON.parse((await cli('requests', '--status', 'error', '--json')).stdout) as RequestSummary[];
    expect(errors.map((r) => r.path)).toEqual(['/nothing']);
    const posts = JSON.parse((await cli('requests', '--method', 'post', '--path', '/api', '--json')).stdout);
    expect(posts).toMatchObject([{ method: 'POST', path: '/api/items?x=1' }]);
    expect(JSON.parse((await cli('requests', '--limit', '1', '--json')).stdout)).toHaveLength(1);
  });

  it('prints a line per request: time, id, viewer, method, path, status or error code, timings, bytes', async () => {
    const { code, stdout } = await cli('requests');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+ID\s+VIEWER\s+METHOD\s+PATH\s+STATUS\s+HEAD\/TOTAL\s+IN → OUT$/);
    expect(lines).toHaveLength(6);
    const post = logged('/api/items');
    expect(lines[1]).toMatch(
      new RegExp(
        `^\\d\\d:\\d\\d:\\d\\d\\s+#${post.id}\\s+public\\s+POST\\s+/api/items\\?x=1\\s+200\\s+\\d+/\\d+ ms\\s+16 B → 7 B$`,
      ),
    );
    expect(lines[2]).toMatch(/#\d+\s+public\s+GET\s+\/boom\s+500\s/);
    expect(lines[5]).toMatch(/GET\s+\/nothing\s+502 origin_unreachable\s/);
  });

  it('shows one request in full: headers redacted, text as text, binary as size and SHA-256', async () => {
    const post = await cli('requests', String(logged('/api/items').id));
    expect(post.code).toBe(0);
    expect(post.stdout).toContain('POST /api/items?x=1  → 200');
    expect(post.stdout).toContain('cookie: app_session=[redacted]');
    expect(post.stdout).toContain('set-cookie: sid=[redacted]; Path=/');
    expect(post.stdout).toMatch(/Request body \(16 B, text\):\n {2}\{"name":"first"\}\n/);
    expect(post.stdout).not.toMatch(/s3cret|origin-secret/);

    const binary = await cli('requests', `#${logged('/binary').id}`);
    const sha = createHash('sha256').update(BINARY).digest('hex');
    expect(binary.stdout).toContain(`Response body: 8 B, binary, sha256 ${sha}`);

    const id = logged('/nothing').id;
    const json = await cli('requests', String(id), '--json');
    expect(JSON.parse(json.stdout)).toEqual(await callJson<RequestRecord>(socket, 'GET', `/v1/requests/${id}`));
  });

  it('never sends a control character from a request to the terminal', async () => {
    const evil = await cli('requests', String(logged('/evil').id));
    expect(evil.code).toBe(0);
    expect(evil.stdout).toContain('x-evil: a\\x9b2Jb');
    expect(evil.stdout).toContain('  line one\n  clear\\x9b2J here');
    // eslint-disable-next-line no-control-regex
    expect(evil.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it('refuses an unknown id (exit 1) and bad usage (exit 2)', async () => {
    const missing = await cli('requests', '99999', '--json');
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: 'request_not_found', status: 404 });
    for (const args of [
      ['--status', '7xx'],
      ['--viewer', 'robot'],
      ['--path', 'api'],
      ['--limit', 'x'],
      ['1', '--follow'],
      ['abc'],
    ]) {
      const bad = await cli('requests', ...args, '--json');
      expect(bad.code, args.join(' ')).toBe(2);
      expect(JSON.parse(bad.stdout)).toMatchObject({ error: 'usage' });
    }
  });

  it('--follow prints a new request as it ends; --follow --json prints the API lines', async () => {
    expect((await request(h.gateway, `${url}followed/zero`)).status).toBe(200);
    const zero = await waitFor(
      () => a.agent.requests.list({ path: '/followed/zero' }).find((r) => r.state === 'done'),
      'zero',
    );
    const filter = ['--path', '/followed', '--limit', '1', '--control', socket];
    const human = runCli(['requests', '--follow', ...filter], cwd);
    const json = runCli(['requests', '--follow', '--json', ...filter], cwd);
    // The backlog is sent in the same turn as the follow subscribes: once it is printed, new requests will be too.
    await waitFor(() => human.stdout().includes(`#${zero.id}`), 'the backlog line');
    await json.line((l) => l.id === zero.id);
    expect((await request(h.gateway, `${url}followed/one`)).status).toBe(200);
    const id = logged('/followed/one').id;
    await waitFor(
      () => new RegExp(`#${id}\\s+public\\s+GET\\s+/followed/one\\s+200 `).test(human.stdout()),
      'the line',
    );
    const done = await json.line((l) => l.id === id && l.state === 'done');
    expect(done).toEqual(summaryOf(await callJson<RequestRecord>(socket, 'GET', `/v1/requests/${id}`)));
    // The header, the backlog and the new request as it ended (not as its head came).
    expect(human.stdout().trimEnd().split('\n')).toHaveLength(3);
    const lines = json
      .stdout()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as RequestSummary);
    expect(lines.map((l) => [l.id, l.state])).toEqual([
      [zero.id, 'done'],
      [id, 'open'],
      [id, 'done'],
    ]);
    await stop(human);
    await stop(json);
  });
});
it('--follow prints a WebSocket as it opens and as it closes; replay refuses it', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  afterTest(() => new Promise((resolve) => wss.close(resolve)));
  await once(wss, 'listening');
  wss.on('connection', (socket) => socket.on('message', (data) => socket.send(data)));
  const port = (wss.address() as AddressInfo).port;
  a.agent.expose(port, { source: 'expose' });
  const wsUrl = await a.agent.url(port);
  // A plain GET (the origin answers 426) gives the follow a backlog line: once it is printed, the follow listens.
  expect((await request(h.gateway, `${wsUrl}warmup`)).status).toBe(426);
  await waitFor(() => a.agent.requests.list({ path: '/warmup' }).find((r) => r.state === 'done'), 'the warm-up');
  const follow = runCli(['requests', '--follow', '--port', String(port), '--control', socket], cwd);
  await waitFor(() => /GET\s+\/warmup\s+426 /.test(follow.stdout()), 'the backlog line');
  const ws = new WebSocket(`${wsUrl.replace(/^http/, 'ws')}chat`, { lookup });
  afterTest(() => ws.terminate());
  await once(ws, 'open');
  await waitFor(() => /#\d+\s+public\s+GET\s+\/chat\s+101 ws 0↑ 0↓ /.test(follow.stdout()), 'the open line');
  ws.send('hi');
  await once(ws, 'message');
  ws.close(1000);
  await waitFor(() => /GET\s+\/chat\s+101 ws 1↑ 1↓ closed 1000 /.test(follow.stdout()), 'the closed line');
  await stop(follow);

  const id = logged('/chat').id;
  const refused = await cli('replay', String(id), '--json');
  expect(refused.code).toBe(1);
  expect(JSON.parse(refused.stdout)).toMatchObject({ error: 'cannot_replay_websocket', status: 409 });
});

describe('porthole replay', () => {
  it('replays, prints the new answer, and records it; --json is the control API record', async () => {
    const original = logged('/api/items');
    const before = hits;
    const run = await cli('replay', String(original.id));
    expect(run.code, run.stderr).toBe(0);
    expect(hits).toBe(before + 1);
    expect(run.stdout).toMatch(
      new RegExp(`^replayed #${original.id} as #\\d+  POST /api/items\\?x=1  → 200  \\(replay#${original.id}, `),
    );
    expect(run.stdout).toContain(`Response body (7 B, text):\n  hello ${before + 1}\n`);
    const json = await cli('replay', String(original.id), '--json');
    const record = JSON.parse(json.stdout) as RequestRecord;
    expect(record).toMatchObject({ replayOf: original.id, viewer: { kind: 'replay' }, status: 200 });
    expect(record).toEqual(await callJson(socket, 'GET', `/v1/requests/${record.id}`));
  });

  it('exits 0 for an origin that is down (the replay happened), 1 on a refusal, 2 on bad usage', async () => {
    const down = await cli('replay', String(logged('/nothing').id), '--json');
    expect(down.code).toBe(0);
    expect(JSON.parse(down.stdout)).toMatchObject({
      state: 'failed',
      status: 502,
      error: { code: 'origin_unreachable' },
    });
    const human = await cli('replay', String(logged('/nothing').id));
    expect(human.stdout).toMatch(/→ 502 origin_unreachable/);
    const missing = await cli('replay', '99999', '--json');
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: 'request_not_found' });
    expect((await cli('replay', '99999')).stderr).toMatch(/^porthole replay: request 99999 is not in the log/);
    for (const args of [[], ['x1'], ['1', '--port', '70000']]) {
      expect((await cli('replay', ...args, '--json')).code, args.join(' ')).toBe(2);
    }
  });
});

function summaryOf(record: RequestRecord): RequestSummary {
  const { request: _request, response: _response, ...summary } = record;
  return summary;
}

async function stop(run: CliRun): Promise<void> {
  run.child.kill('SIGINT');
  await run.exit;
}
