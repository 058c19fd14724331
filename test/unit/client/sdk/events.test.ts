/**
 * The SDK's event feed reader (client/sdk/events.ts) against a real HTTP server on loopback that
 * plays the gateway: events split across writes, comments, unknown events, refusals, a hostile
 * stream, abort and break.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PortholeApiError } from '../../../../client/net/http';
import { eventFeed, type PortholeEvent } from '../../../../client/sdk/events';

const servers: http.Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.closeAllConnections();
          s.close(() => resolve());
        }),
    ),
  );
});

/** A server answering every request with `handler`; its URL (a `*.localhost` name, as the gateway's). */
async function serve(handler: http.RequestListener): Promise<URL> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return new URL(`http://porthole.localhost:${(server.address() as AddressInfo).port}/api/sessions/s/events`);
}

const SSE = { 'content-type': 'text/event-stream', 'cache-control': 'no-store' };

async function collect(feed: AsyncIterable<PortholeEvent>): Promise<PortholeEvent[]> {
  const seen: PortholeEvent[] = [];
  for await (const event of feed) seen.push(event);
  return seen;
}

async function failure(feed: AsyncIterable<PortholeEvent>): Promise<PortholeApiError> {
  const error = await collect(feed).then(
    () => new Error('ended without an error'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PortholeApiError);
  return error as PortholeApiError;
}

describe('eventFeed', () => {
  it('yields typed events in order, across split writes, skipping comments and events it does not know', async () => {
    let auth = '';
    const url = await serve((req, res) => {
      auth = req.headers.authorization ?? '';
      res.writeHead(200, SSE);
      res.write('id: 1\nevent: snapshot\ndata: {"state":"active","tunnel":"offline","ports":[]}\n\n');
      res.write(': keepalive\n\n');
      res.write('id: 2\nevent: port.op');
      res.write('ened\ndata: {"port":3000,"url":"http://x/","visibility":"private",');
      res.write('"listening":true}\r\n\r\n');
      res.write('id: 3\nevent: something.new\ndata: {}\n\n');
      res.end('id: 4\nevent: session.ended\ndata: {"reason":"ended"}\n\n');
    });
    const seen = await collect(eventFeed(url, 'tok'));
    expect(auth).toBe('Bearer tok');
    expect(seen).toEqual([
      { type: 'snapshot', id: 1, data: { state: 'active', tunnel: 'offline', ports: [] } },
      {
        type: 'port.opened',
        id: 2,
        data: { port: 3000, url: 'http://x/', visibility: 'private', listening: true },
      },
      { type: 'session.ended', id: 4, data: { reason: 'ended' } },
    ]);
    const first = seen[0] as PortholeEvent;
    // The union narrows on `type` (a compile-time check as much as a run-time one).
    if (first.type === 'snapshot') expect(first.data.ports).toEqual([]);
  });

  it("a refusal rejects with the gateway's status and code", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '5' });
      res.end(JSON.stringify({ error: 'too_many_feeds', status: 429, message: 'Too many feeds.' }));
    });
    expect((await failure(eventFeed(url, 'tok'))).toJSON()).toEqual({
      error: 'too_many_feeds',
      status: 429,
      message: 'Too many feeds.',
    });
  });

  it('a 200 that is not an event stream, data that is not JSON, an endless event: 502 bad_answer', async () => {
    const notSse = await serve((_req, res) => res.end('{"ok":true}'));
    expect(await failure(eventFeed(notSse, 'tok'))).toMatchObject({ status: 502, code: 'bad_answer' });
    const notJson = await serve((_req, res) => {
      res.writeHead(200, SSE);
      res.end('id: 1\nevent: tunnel.up\ndata: not json\n\n');
    });
    expect(await failure(eventFeed(notJson, 'tok'))).toMatchObject({ status: 502, code: 'bad_answer' });
    let written = 0;
    const endless = await serve((_req, res) => {
      res.writeHead(200, SSE);
      const chunk = `data: ${'x'.repeat(64 * 1024)}\n`; // One event's data, never ended by a blank line.
      const more = () => {
        while (written < 4 << 20 && res.write(chunk)) written += chunk.length;
        if (written < 4 << 20) res.once('drain', more);
      };
      more();
    });
    expect(await failure(eventFeed(endless, 'tok'))).toMatchObject({ status: 502, code: 'bad_answer' });
    expect(written).toBeLessThan(4 << 20); // Stopped reading (the bound is 1 MiB), not drained to the end.
  });

  it('a gateway nobody answers at: 502 gateway_unreachable', async () => {
    const url = await serve(() => {});
    servers[0]?.close();
    servers[0]?.closeAllConnections();
    await new Promise((resolve) => servers[0]?.once('close', resolve));
    servers.length = 0;
    expect(await failure(eventFeed(url, 'tok'))).toMatchObject({ status: 502, code: 'gateway_unreachable' });
  });

  it('abort ends the iteration quietly, and so does breaking out: the connection closes either way', async () => {
    const closed: Promise<void>[] = [];
    const url = await serve((req, res) => {
      closed.push(new Promise((resolve) => res.once('close', () => resolve())));
      res.writeHead(200, SSE);
      res.write('id: 1\nevent: tunnel.down\ndata: {}\n\n');
      req.resume();
    });
    const abort = new AbortController();
    const seen: string[] = [];
    for await (const event of eventFeed(url, 'tok', { signal: abort.signal })) {
      seen.push(event.type);
      abort.abort();
    }
    expect(seen).toEqual(['tunnel.down']);
    for await (const event of eventFeed(url, 'tok')) {
      expect(event.type).toBe('tunnel.down');
      break;
    }
    await Promise.all(closed);
    expect(closed).toHaveLength(2);
    // Aborted before it starts: nothing is sent.
    expect(await collect(eventFeed(url, 'tok', { signal: AbortSignal.abort() }))).toEqual([]);
    expect(closed).toHaveLength(2);
  });
});
