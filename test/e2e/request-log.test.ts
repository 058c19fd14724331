/**
 * The request log filled by real traffic (issue 17): the gateway in workerd,
 * the real client, real origins and viewers. Each stream the client serves is
 * recorded with what the viewer got: the origin's status, or the gateway's
 * error code when Porthole answered; who the viewer was; bodies up to the
 * bound; credentials redacted wherever the log is shown (the control API's
 * GET /v1/requests/<id>, the --request-log-file).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { getJson } from '../../client/control/client';
import { ControlServer } from '../../client/control/server';
import { lookup } from '../../client/net/lookup';
import type { RequestRecord } from '../../client/requests/record';
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

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ ORIGIN_TIMEOUT: '30' });
});
afterAll(async () => {
  await h?.stop();
});

/** The app's own credentials: redacted in the log, never shown. */
const SECRETS = {
  authorization: 'Bearer app-secret-token-5d1c',
  cookie: 'app_session=cookie-secret-8e2a; theme=dark',
  setCookie: 'sid=set-cookie-secret-77f0; Path=/; HttpOnly',
};
const SECRET_VALUES = ['app-secret-token-5d1c', 'cookie-secret-8e2a', 'set-cookie-secret-77f0'];

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'porthole-request-log-'));
}

/** The agent's control API on a socket of its own, as `porthole requests` reads it. */
async function control(a: RunningAgent): Promise<(route: string) => Promise<unknown>> {
  const path = join(tempDir(), 'control.sock');
  const server = await ControlServer.start(a.agent, path);
  afterTest(() => server.close());
  return (route) => getJson(path, route);
}

/** The finished record of the request to `path` (the newest), as the log holds it. */
function finished(a: RunningAgent, path: string, timeoutMs = 10_000): Promise<RequestRecord> {
  return waitFor(
    () => {
      const summary = a.agent.requests
        .list({ path })
        .filter((s) => s.path === path)
        .at(-1);
      return summary && summary.state !== 'open' ? a.agent.requests.get(summary.id) : undefined;
    },
    `the request to ${path} finished in the log`,
    timeoutMs,
  );
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('the request log, filled by real traffic', () => {
  it('records an origin 500, big bodies cut at the bound, credentials redacted, and the file only when asked', async () => {
    const bound = 1024;
    const upload = Buffer.from('a'.repeat(5000)); // Text, streamed to the origin.
    const download = randomBytes(200 * 1024); // Binary, streamed back (over the RESPONSE frame's 64 KiB).
    const o = await startOrigin((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.url === '/fail') {
          res.writeHead(500, { 'content-type': 'text/plain', 'set-cookie': SECRETS.setCookie });
          res.end('boom');
        } else if (req.url === '/big') {
          expect(Buffer.concat(chunks).equals(upload)).toBe(true);
          res.writeHead(200, { 'content-type': 'application/octet-stream' });
          res.end(download);
        } else res.end('ok');
      });
    });
    const dir = tempDir();
    const file = join(dir, 'requests.ndjson');
    const a = await startAgent(h, [o.port], { requestLog: { bodyBytes: bound }, requestLogFile: file });
    const other = await startAgent(h, [o.port]); // No file asked: the control below.
    const url = await a.agent.url(o.port);
    const get = await control(a);

    const failed = await request(h.gateway, `${url}fail`, {
      headers: { authorization: SECRETS.authorization, cookie: SECRETS.cookie },
    });
    expect(failed.status).toBe(500);
    const fail = await finished(a, '/fail');
    expect(fail).toMatchObject({
      method: 'GET',
      port: o.port,
      state: 'done',
      status: 500,
      upgrade: false,
      viewer: { kind: 'public' },
      bytesIn: 0,
      bytesOut: 4,
      response: {
        body: { bytes: 4, captured: 4, truncated: false, text: 'boom', sha256: sha256(Buffer.from('boom')) },
      },
    });
    expect(fail.error).toBeUndefined();
    expect(fail.headMs).toEqual(expect.any(Number));
    expect(fail.totalMs).toBeGreaterThanOrEqual(fail.headMs as number);
    const header = (pairs: [string, string][], name: string) => pairs.find(([n]) => n.toLowerCase() === name)?.[1];
    expect(header(fail.request.headers, 'authorization')).toBe('Bearer [redacted]');
    expect(header(fail.request.headers, 'cookie')).toBe('app_session=[redacted]; theme=[redacted]');
    expect(header(fail.response?.headers ?? [], 'set-cookie')).toBe('sid=[redacted]; Path=/; HttpOnly');
    const shown = JSON.stringify(await get(`/v1/requests/${fail.id}`));
    expect(shown).toContain('[redacted]');
    for (const secret of SECRET_VALUES) expect(shown).not.toContain(secret);

    const big = await request(h.gateway, `${url}big`, { method: 'POST', body: upload });
    expect(big.status).toBe(200);
    expect(big.body.equals(download)).toBe(true);
    const record = await finished(a, '/big');
    expect(record).toMatchObject({ state: 'done', status: 200, bytesIn: upload.length, bytesOut: download.length });
    expect(record.request.body).toEqual({
      bytes: upload.length,
      captured: bound,
      truncated: true,
      text: 'a'.repeat(bound),
      sha256: sha256(upload.subarray(0, bound)),
    });
    expect(record.response?.body).toEqual({
      bytes: download.length,
      captured: bound,
      truncated: true,
      base64: download.subarray(0, bound).toString('base64'),
      sha256: sha256(download.subarray(0, bound)),
    });
    expect(await get(`/v1/requests/${record.id}`)).toEqual(record);

    // The file: each finished request in full, as GET /v1/requests/<id> shows it, 0600, no secret.
    const lines = await waitFor(() => {
      const text = readFileSync(file, 'utf8');
      const parsed = text.trim().split('\n').filter(Boolean);
      return parsed.length === 2 ? { text, records: parsed.map((l) => JSON.parse(l) as RequestRecord) } : undefined;
    }, 'two lines in the request log file');
    expect(lines.records).toEqual([fail, record]);
    for (const secret of SECRET_VALUES) expect(lines.text).not.toContain(secret);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // The other client, asked for no file, logged its request in memory only: this file holds none of it.
    const otherUrl = await other.agent.url(o.port);
    expect((await request(h.gateway, `${otherUrl}other`)).status).toBe(200);
    await finished(other, '/other');
    expect(readFileSync(file, 'utf8')).not.toContain('/other');
  });

  it('records the gateway error code when the origin is down, and who each viewer was', async () => {
    const down = await freePort();
    const o = await startOrigin((_req, res) => res.end('hello'));
    const a = await startAgent(h, [down, o.port], { visibility: () => 'private' });

    // The owner, with the tools' header.
    const owner = (await a.agent.api.ownerToken()).token;
    const downUrl = await a.agent.url(down);
    const refused = await request(h.gateway, `${downUrl}nothing`, { headers: { 'x-porthole-token': owner } });
    expect(refused.status).toBe(502);
    expect(refused.headers['x-porthole-error']).toBe('origin_unreachable');
    const unreachable = await finished(a, '/nothing');
    expect(unreachable).toMatchObject({
      state: 'failed',
      status: 502,
      viewer: { kind: 'owner' },
      error: { code: 'origin_unreachable', message: expect.stringContaining('connection refused') },
      response: null,
    });

    // A reviewer with a link, as share.test.ts uses one: the log names the link.
    const url = await a.agent.url(o.port);
    await a.agent.api.setVisibility(o.port, 'link');
    const link = await a.agent.api.createLink(o.port, { ttlSeconds: 600 });
    const opened = await request(h.gateway, link.url, { headers: { accept: 'text/html' } });
    expect(opened.status).toBe(303);
    const cookie = String(opened.headers['set-cookie']?.[0]).split(';')[0] as string;
    expect((await request(h.gateway, `${url}reviewed`, { headers: { cookie } })).status).toBe(200);
    expect(await finished(a, '/reviewed')).toMatchObject({ status: 200, viewer: { kind: 'link', link: link.id } });

    // Anyone, on a public port.
    await a.agent.api.setVisibility(o.port, 'public');
    expect((await request(h.gateway, `${url}anyone`)).status).toBe(200);
    expect(await finished(a, '/anyone')).toMatchObject({ status: 200, state: 'done', viewer: { kind: 'public' } });
  });

  it('records a request for a port the client no longer exposes (its PORTS not at the gateway yet)', async () => {
    const o = await startOrigin((_req, res) => res.end('hello'));
    const a = await startAgent(h, [o.port]);
    const url = await a.agent.url(o.port);
    // The unexpose's PORTS frame is held back: the gateway still routes the port to this client.
    const mux = a.agent.connection?.mux;
    if (!mux) throw new Error('no tunnel');
    const control = mux.control.bind(mux);
    mux.control = (frame) => {
      if (frame.type !== 'PORTS') control(frame);
    };
    expect(a.agent.unexpose(o.port)).toBe(true);
    const reply = await request(h.gateway, `${url}gone`);
    expect(reply.status).toBe(503);
    expect(reply.headers['x-porthole-error']).toBe('port_not_listening');
    expect(await finished(a, '/gone')).toMatchObject({
      state: 'failed',
      status: 503,
      error: { code: 'port_not_listening', message: `port ${o.port} is not listening` },
      response: null,
    });
  });

  it('records a WebSocket: the upgrade, messages each way and the close code', async () => {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    afterTest(() => new Promise<void>((resolve) => server.close(() => resolve())));
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    server.on('connection', (socket) => {
      socket.send('hello');
      socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
    });
    const port = (server.address() as AddressInfo).port;
    const a = await startAgent(h, [port]);
    const url = await a.agent.url(port);
    const viewer = new WebSocket(`${url.replace(/^http/, 'ws')}chat`, { lookup });
    afterTest(() => viewer.terminate());
    const received: Buffer[] = [];
    viewer.on('message', (data: Buffer) => received.push(data));
    await new Promise<void>((resolve, reject) => {
      viewer.once('open', resolve);
      viewer.once('error', reject);
    });
    for (const text of ['one', 'two', 'three']) viewer.send(text);
    await waitFor(() => received.length === 4, 'the greeting and three echoes');
    viewer.close(4001, 'bye');

    const record = await finished(a, '/chat');
    expect(record).toMatchObject({
      upgrade: true,
      status: 101,
      state: 'done',
      bytesIn: 3 + 3 + 5,
      bytesOut: 5 + 3 + 3 + 5,
      websocket: { messagesIn: 3, messagesOut: 4, closeCode: 4001 },
    });
    expect(record.error).toBeUndefined();
  });

  it('records viewer_left when the viewer goes away mid-response, keeping the origin status', async () => {
    const o = await startOrigin((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first part, then nothing');
    });
    const a = await startAgent(h, [o.port]);
    const url = new URL(await a.agent.url(o.port));
    await new Promise<void>((resolve, reject) => {
      const req = http.get(
        { host: '127.0.0.1', port: h.gateway.port, path: '/slow', headers: { host: url.host }, agent: false },
        (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        },
      );
      req.on('error', (error) => (req.destroyed ? resolve() : reject(error)));
      afterTest(() => req.destroy());
    });
    const record = await finished(a, '/slow', 20_000);
    expect(record).toMatchObject({
      state: 'failed',
      status: 200,
      error: { code: 'viewer_left' },
      response: { body: { text: 'first part, then nothing' } },
    });
  });
});
