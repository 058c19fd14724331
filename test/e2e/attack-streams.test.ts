/**
 * Attacks on abandoned streams and WebSocket data connections (issue 13,
 * items 1 and 2, attacker round 2). Each test is a finding: it fails today
 * and passes once its fix is in.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiStatus } from '../../protocol';
import { afterTest, type Harness, request, startAgent, startHarness, startOrigin, waitFor } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ MAX_STREAMS: '8', VIEWER_MAX_STREAMS: '8', ORIGIN_TIMEOUT: '2', VIEWER_IDLE_TIMEOUT: '2' });
});
afterAll(async () => {
  await h?.stop();
});

/** A client exposing `port`: its URL, and the session's streams in flight (the owner's status). */
async function serveOn(port: number) {
  const a = await startAgent(h, [port]);
  const owner = (await a.agent.api.ownerToken()).token;
  const streams = async () => {
    const reply = await request(h.gateway, `/api/sessions/${a.session}/status`, {
      headers: { authorization: `Bearer ${owner}` },
    });
    return (JSON.parse(reply.body.toString()) as ApiStatus).streams;
  };
  return { url: await a.agent.url(port), streams };
}

/** An HTTP server on 127.0.0.1 whose upgrade requests get `onUpgrade`; closed with the test. */
async function upgradeOrigin(onUpgrade: (socket: Socket) => void): Promise<number> {
  const server = http.createServer((_req, res) => res.end('fresh'));
  server.on('upgrade', (_req, socket) => {
    socket.on('error', () => {}); // The client may give up on the rest.
    onUpgrade(socket as Socket);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  afterTest(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}

/** A viewer's WebSocket upgrade that gets a non-101 answer: its status and body length (the socket then closes). */
function refusedUpgrade(url: string): Promise<{ status: number; length: number }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.get({
      host: '127.0.0.1',
      port: h.gateway.port,
      path: target.pathname,
      agent: false,
      headers: {
        host: target.host,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
      },
    });
    afterTest(() => req.destroy());
    req.on('upgrade', () => reject(new Error('the origin refused; the viewer must not get a 101')));
    req.on('response', (res) => {
      let length = 0;
      res.on('data', (chunk: Buffer) => (length += chunk.length));
      res.on('end', () => {
        req.destroy();
        resolve({ status: res.statusCode ?? 0, length });
      });
      res.on('error', () => resolve({ status: res.statusCode ?? 0, length }));
    });
    req.on('error', reject);
  });
}

describe('attacker round 2: streams that outlive their viewer', () => {
  it('a WebSocket upgrade the origin refuses with a body over 1 MiB does not pin its stream', async () => {
    // An origin that answers any upgrade with a 2 MiB page (a static server that ignores Upgrade
    // would do the same with any large file): ws-bridge.ts collects 1 MiB of it, stops reading,
    // and neither resets nor drains the stream, so the client's write waits for credit forever.
    const page = Buffer.alloc(2 * 1024 * 1024, 0x61);
    const port = await upgradeOrigin((socket) => {
      socket.write(`HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\ncontent-length: ${page.length}\r\n\r\n`);
      socket.end(page);
    });
    const s = await serveOn(port);
    for (let i = 0; i < 3; i++) {
      const answer = await refusedUpgrade(s.url);
      expect(answer.status).toBe(404);
    }
    // Every viewer has its answer and has left: nothing may stay held (ORIGIN_TIMEOUT and
    // VIEWER_IDLE_TIMEOUT are 2 s here, so 8 s is ample).
    await waitFor(async () => (await s.streams()) === 0, 'the refused upgrades freed their streams', 8_000, 100);
  });

  it('a plain GET of a large file sent with Upgrade: websocket does not pin its stream (any app without WebSockets)', async () => {
    // Node's http server without an 'upgrade' listener (Express and most apps that serve no
    // WebSocket) answers such a request as a plain GET: a 2 MiB asset is then a "refusal" of
    // 2 MiB. Any anonymous viewer can pin streams of any public port serving a file over 1 MiB,
    // and they stay after the viewer left, until the tunnel reconnects.
    const file = Buffer.alloc(2 * 1024 * 1024, 0x62);
    const origin = await startOrigin((_req, res) => res.end(file));
    const s = await serveOn(origin.port);
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await refusedUpgrade(`${s.url}bundle.js`));
    console.log('atk2: upgrade GETs of a 2 MiB file answered', JSON.stringify(answers));
    await waitFor(async () => (await s.streams()) === 0, 'the upgrade GETs freed their streams', 8_000, 100);
    // The viewer got the whole file, or a clear failure, never a silently cut body.
    for (const answer of answers) expect(answer.length).toBe(file.length);
  });
});

/** The data of each event an EventSource dispatches for `text` (WHATWG HTML, "Parsing an event stream"). */
function sseEvents(text: string): string[] {
  const events: string[] = [];
  let data: string[] = [];
  for (const line of text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/)) {
    if (line === '') {
      if (data.length) events.push(data.join('\n'));
      data = [];
    } else if (line.startsWith('data:')) {
      data.push(line.slice(5).replace(/^ /, ''));
    }
    // Comments and other fields (including a field named '\uFEFFdata') are ignored.
  }
  return events;
}

/** The whole body of a GET of `url` through the gateway, as text. */
function getText(url: string): Promise<string> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port: h.gateway.port, path: target.pathname, headers: { host: target.host }, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(body));
      },
    );
    req.on('error', reject);
    afterTest(() => req.destroy());
  });
}

describe('attacker round 2: the event-stream probe', () => {
  it('does not break an event stream that starts with a byte order mark after a quiet start', async () => {
    // An SSE stream may begin with a UTF-8 BOM, which the parser strips only at the very start. A
    // probe (':\n') written during a quiet spell before the origin's first byte moves the BOM off
    // the start: the first event's field becomes '\uFEFFdata' and EventSource drops the event.
    const origin = await startOrigin((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      const timer = setTimeout(() => res.end('\uFEFFdata: first\n\n'), 2_600);
      res.on('close', () => clearTimeout(timer));
    });
    const s = await serveOn(origin.port);
    const text = await getText(`${s.url}events`);
    expect(sseEvents(text)).toEqual(['first']);
  });

  it('frees an abandoned event stream whose lines end in CR (a line ending SSE allows)', async () => {
    // The probe waits for a line end, but knows only LF: after 'data: first\r\r' it never writes,
    // so locally a viewer that left holds the stream (and the origin's request) for good.
    let closed = false;
    const origin = await startOrigin((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\r\r');
      res.on('close', () => (closed = true));
    });
    const s = await serveOn(origin.port);
    const target = new URL(`${s.url}events`);
    await new Promise<void>((resolve, reject) => {
      const req = http.get(
        {
          host: '127.0.0.1',
          port: h.gateway.port,
          path: target.pathname,
          headers: { host: target.host },
          agent: false,
        },
        (res) => res.once('data', () => (req.destroy(), resolve())),
      );
      req.on('error', (error) => (req.destroyed ? resolve() : reject(error)));
      afterTest(() => req.destroy());
    });
    await waitFor(async () => (await s.streams()) === 0, 'the abandoned CR event stream freed', 8_000, 100);
    await waitFor(() => closed, 'the origin request cancelled', 2_000);
  });

  it('a HEAD of a quiet event stream frees its stream once answered', async () => {
    const origin = await startOrigin((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
    });
    const s = await serveOn(origin.port);
    const reply = await request(h.gateway, `${s.url}events`, { method: 'HEAD' });
    expect(reply.status).toBe(200);
    await waitFor(async () => (await s.streams()) === 0, 'the HEAD stream freed', 8_000, 100);
  });
});
