/**
 * Replay (POST /v1/requests/<id>/replay on the control socket, Agent.replay): a request the
 * gateway brought in is sent to the origin again, which sees the same method, path, body and the
 * app's own credentials; the new request is in the log with replayOf and viewer replay. Each
 * refusal has its status and code; an origin that is down is a replay that happened and failed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../client/agent';
import { callJson } from '../../client/control/client';
import { ControlServer } from '../../client/control/server';
import { PortholeApiError } from '../../client/net/http';
import type { RequestRecord } from '../../client/requests/record';
import { RequestLog } from '../../client/requests/log';
import { MAX_REPLAYS, Replayer } from '../../client/requests/replay';
import { Origin } from '../../client/origin/origin';
import type { OpenRequest } from '../../protocol';
import {
  afterTest,
  freePort,
  type Harness,
  request,
  signal,
  startAgent,
  startHarness,
  startOrigin,
  waitFor,
} from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

interface Hit {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** An origin that keeps every request it got, answering 201 with `answer` (default: `hit <n>`). */
async function countingOrigin(answer?: (hit: Hit, n: number) => string) {
  const hits: Hit[] = [];
  const origin = await startOrigin((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const hit = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(parts).toString(),
      };
      hits.push(hit);
      res.writeHead(201, { 'content-type': 'text/plain', 'set-cookie': 'sid=fresh-secret' });
      res.end(answer ? answer(hit, hits.length) : `hit ${hits.length}`);
    });
  });
  return { ...origin, hits };
}

/** The agent's control API on a socket in a fresh private folder. */
async function control(agent: Agent): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'porthole-replay-'));
  const path = join(dir, 'control', 'control.sock');
  const server = await ControlServer.start(agent, path);
  afterTest(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return path;
}

/** POST /v1/requests/<id>/replay: the record, or the PortholeApiError of the refusal. */
function replay(socket: string, id: number | string, body: unknown = {}): Promise<RequestRecord> {
  return callJson<RequestRecord>(socket, 'POST', `/v1/requests/${id}/replay`, body);
}

async function refusal(promise: Promise<unknown>): Promise<{ status: number; code: string }> {
  const error = await promise.then(
    () => {
      throw new Error('the replay was not refused');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PortholeApiError);
  return { status: (error as PortholeApiError).status, code: (error as PortholeApiError).code };
}

/** A request as the gateway would have opened it, recorded as ended (`body` as the viewer sent it). */
function recorded(agent: Agent, open: Partial<OpenRequest> & { port: number }, body?: Buffer): number {
  const entry = agent.requests.begin({
    method: 'POST',
    path: '/',
    headers: [],
    host: 'x.preview.localhost',
    hasBody: body !== undefined,
    upgrade: false,
    viewer: { kind: 'owner' },
    ...open,
  })!;
  if (body) entry.requestData(body);
  entry.head(200, []);
  entry.end();
  return entry.id;
}

describe('replay', () => {
  it('sends a request that came through the gateway to its origin again, and records the new answer', async () => {
    const origin = await countingOrigin();
    const a = await startAgent(h, [origin.port]);
    const socket = await control(a.agent);
    const url = await a.agent.url(origin.port);
    const first = await request(h.gateway, `${url}api/items?x=1`, {
      method: 'POST',
      headers: { cookie: 'app_session=s3cret', authorization: 'Bearer app-token', 'content-type': 'application/json' },
      body: '{"name":"first"}',
    });
    expect(first.status).toBe(201);
    const original = await waitFor(
      () => a.agent.requests.list({ path: '/api/items' }).find((r) => r.state === 'done'),
      'the original in the log',
    );

    const record = await replay(socket, original.id);

    expect(origin.hits).toHaveLength(2);
    const [seen, again] = origin.hits as [Hit, Hit];
    expect(again.method).toBe('POST');
    expect(again.url).toBe('/api/items?x=1');
    expect(again.body).toBe('{"name":"first"}');
    expect(again.headers.cookie).toBe('app_session=s3cret');
    expect(again.headers.authorization).toBe('Bearer app-token');
    expect(again.headers.host).toBe(`localhost:${origin.port}`);
    expect(again.headers['x-forwarded-host']).toBe(seen.headers['x-forwarded-host']);
    expect(again.headers['content-length']).toBe(seen.headers['content-length']);

    expect(record).toMatchObject({
      replayOf: original.id,
      viewer: { kind: 'replay' },
      port: origin.port,
      method: 'POST',
      path: '/api/items?x=1',
      state: 'done',
      status: 201,
      bytesIn: 16,
      bytesOut: 5,
      response: { body: { text: 'hit 2', truncated: false } },
    });
    expect(record.id).toBeGreaterThan(original.id);
    expect(record.headMs).toEqual(expect.any(Number));
    expect(record.totalMs).toEqual(expect.any(Number));
    // Recorded as any request is: credentials redacted in what the log shows.
    expect(JSON.stringify(record)).not.toMatch(/s3cret|app-token|fresh-secret/);
    expect(await callJson<RequestRecord>(socket, 'GET', `/v1/requests/${record.id}`)).toEqual(record);
    expect((await callJson<unknown[]>(socket, 'GET', '/v1/requests?viewer=replay')).length).toBe(1);
  });

  it('sends it to another port when asked', async () => {
    const origin = await countingOrigin();
    const other = await countingOrigin((hit) => `other saw ${hit.body}`);
    const a = await startAgent(h, [origin.port]);
    const socket = await control(a.agent);
    const id = recorded(a.agent, { port: origin.port, path: '/hook' }, Buffer.from('payload'));

    const record = await replay(socket, id, { port: other.port });

    expect(origin.hits).toHaveLength(0);
    expect(other.hits).toMatchObject([{ method: 'POST', url: '/hook', body: 'payload' }]);
    expect(other.hits[0]?.headers.host).toBe(`localhost:${other.port}`);
    expect(record).toMatchObject({ port: other.port, status: 201, response: { body: { text: 'other saw payload' } } });
  });

  it('records an origin that is down as a replay failed with origin_unreachable', async () => {
    const down = await freePort();
    const a = await startAgent(h, [down]);
    const socket = await control(a.agent);
    const id = recorded(a.agent, { port: down, method: 'GET' });

    const record = await replay(socket, id);

    expect(record).toMatchObject({ replayOf: id, state: 'failed', status: 502, error: { code: 'origin_unreachable' } });
    expect(record.response).toBeNull();
  });

  it('keeps a big answer only up to the log bound, counting the rest', async () => {
    const big = Buffer.alloc(300_000, 'b');
    const origin = await startOrigin((_req, res) => res.end(big));
    const a = await startAgent(h, [origin.port], { requestLog: { bodyBytes: 1000 } });
    const record = await a.agent.replay(recorded(a.agent, { port: origin.port, method: 'GET' }));
    expect(record).toMatchObject({ state: 'done', status: 200, bytesOut: big.length });
    expect(record.response?.body).toMatchObject({ bytes: big.length, captured: 1000, truncated: true });
  });

  it('refuses what it cannot send again, each with its status and code', async () => {
    const origin = await countingOrigin();
    const a = await startAgent(h, [origin.port], { requestLog: { bodyBytes: 10 } });
    const socket = await control(a.agent);
    const cut = recorded(a.agent, { port: origin.port }, Buffer.alloc(11, 'x'));
    const upgrade = recorded(a.agent, { port: origin.port, method: 'GET', upgrade: true });
    const fine = recorded(a.agent, { port: origin.port, method: 'GET' });

    expect(await refusal(replay(socket, 9999))).toEqual({ status: 404, code: 'request_not_found' });
    expect(await refusal(replay(socket, 'abc'))).toEqual({ status: 400, code: 'bad_request' });
    expect(await refusal(replay(socket, cut))).toEqual({ status: 409, code: 'body_truncated' });
    expect(await refusal(replay(socket, upgrade))).toEqual({ status: 409, code: 'cannot_replay_websocket' });
    for (const port of [0, 65536, 'http', -1, 1.5]) {
      expect(await refusal(replay(socket, fine, { port }))).toEqual({ status: 400, code: 'bad_request' });
    }
    expect(origin.hits).toHaveLength(0);
    // A body that did not arrive whole (the viewer left mid-upload) is not sent either.
    const entry = a.agent.requests.begin({
      port: origin.port,
      method: 'PUT',
      path: '/',
      headers: [['content-length', '8']],
      host: 'x',
      hasBody: true,
      upgrade: false,
      viewer: { kind: 'owner' },
    })!;
    expect(await refusal(replay(socket, entry.id))).toEqual({ status: 409, code: 'request_in_flight' });
    entry.requestData(Buffer.from('half'));
    entry.fail({ code: 'viewer_left', message: 'gone' });
    expect(await refusal(replay(socket, entry.id))).toEqual({ status: 409, code: 'body_truncated' });
    expect(origin.hits).toHaveLength(0);
  });

  it(`runs at most ${MAX_REPLAYS} replays at once`, async () => {
    const release = signal();
    let arrived = 0;
    const origin = await startOrigin((_req, res) => {
      arrived++;
      void release.promise.then(() => res.end('late'));
    });
    const a = await startAgent(h, [origin.port]);
    const socket = await control(a.agent);
    const id = recorded(a.agent, { port: origin.port, method: 'GET' });
    const running = Array.from({ length: MAX_REPLAYS }, () => replay(socket, id));
    await waitFor(() => arrived === MAX_REPLAYS, 'the replays at the origin');

    expect(await refusal(replay(socket, id))).toEqual({ status: 429, code: 'too_many_replays' });
    release.fire();
    for (const record of await Promise.all(running)) expect(record).toMatchObject({ status: 200, state: 'done' });
    expect(await replay(socket, id)).toMatchObject({ status: 200 });
  });

  it('gives up on an origin that sends no head in time (origin_timeout) or never ends (cut as viewer_left)', async () => {
    const origin = await startOrigin((req, res) => {
      if (req.url === '/endless') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: 1\n\n');
      }
      // Anything else: no answer at all.
    });
    const log = new RequestLog();
    const local = new Origin({
      preserveHost: () => false,
      dialData: () => {
        throw new Error('no WebSocket here');
      },
    });
    afterTest(() => local.close());
    const replayer = new Replayer(log, { serve: (s, e) => local.serve(s, e), headTimeoutMs: 200, timeoutMs: 1000 });
    const silent = log.begin({ ...GET, port: origin.port, path: '/silent' })!;
    silent.end();
    const endless = log.begin({ ...GET, port: origin.port, path: '/endless' })!;
    endless.end();

    expect(await replayer.replay(silent.id)).toMatchObject({
      state: 'failed',
      status: 504,
      error: { code: 'origin_timeout' },
      response: null,
    });
    expect(await replayer.replay(endless.id)).toMatchObject({
      state: 'failed',
      status: 200,
      error: { code: 'viewer_left' },
      response: { body: { text: 'data: 1\n\n' } },
    });
    expect(replayer.running).toBe(0);
  });
});

const GET: OpenRequest = {
  port: 0,
  method: 'GET',
  path: '/',
  headers: [],
  host: 'x.preview.localhost',
  hasBody: false,
  upgrade: false,
  viewer: { kind: 'owner' },
};
