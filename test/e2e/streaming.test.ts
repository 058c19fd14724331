/**
 * Long and live responses through the tunnel, tested by cause and effect
 * rather than by stopwatch: server-sent events that the origin sends only
 * after the viewer acknowledged the previous one, long-polls and silent
 * streams that outlast the idle limit, and a slow viewer beside a fast one.
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { afterTest, type Harness, request, startAgent, startHarness, startOrigin, signal } from './harness';

let h: Harness;

beforeAll(async () => {
  // A short viewer-idle limit, so the tests below show what it does and does not cut.
  h = await startHarness({ ORIGIN_TIMEOUT: '6', VIEWER_IDLE_TIMEOUT: '1' });
});
afterAll(async () => {
  await h?.stop();
});

/** An origin with `handler` and a client exposing it, for the running test. */
async function serve(handler: http.RequestListener) {
  const origin = await startOrigin(handler);
  const a = await startAgent(h, [origin.port]);
  return { origin, url: await a.agent.url(origin.port) };
}

/** A GET through the gateway, cut when the test ends; the response is returned unread. */
function open(url: string): Promise<http.IncomingMessage> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port: h.gateway.port, path: target.pathname, headers: { host: target.host }, agent: false },
      resolve,
    );
    req.on('error', reject);
    afterTest(() => req.destroy());
  });
}

/** A GET through the gateway, cut when the test ends, whose body is handed over chunk by chunk. */
function stream(url: string, onChunk: (text: string) => void): Promise<http.IncomingMessage> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: '127.0.0.1', port: h.gateway.port, path: target.pathname, headers: { host: target.host }, agent: false },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', onChunk);
        resolve(res);
      },
    );
    req.on('error', reject);
    afterTest(() => req.destroy());
  });
}

describe('streaming', () => {
  it('server-sent events arrive one by one: the origin sends event N+1 only after the viewer saw event N', async () => {
    const EVENTS = 20;
    let sse: http.ServerResponse | null = null;
    let sent = 0;
    const send = () => sse?.write(`id: ${sent}\ndata: event ${sent++}\n\n`);
    const { url } = await serve((req, res) => {
      if (req.url === '/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        sse = res;
        send();
      } else if (req.url === '/ack' && req.method === 'POST') {
        res.end('ok');
        // The next event exists only once the viewer acknowledged this one.
        if (sent < EVENTS) send();
        else sse?.end();
      } else {
        res.writeHead(404).end();
      }
    });

    const seen: string[] = [];
    let buffer = '';
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const res = await stream(`${url}events`, (chunk) => {
      buffer += chunk;
      for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        seen.push(/data: (.*)/.exec(event)?.[1] ?? '');
        void request(h.gateway, `${url}ack`, { method: 'POST' });
      }
    });
    res.on('end', finish);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/event-stream');
    await finished;
    expect(seen).toEqual(Array.from({ length: EVENTS }, (_, i) => `event ${i}`));
  });

  it('a long-poll answered after longer than the idle limit is not cut (it waits up to ORIGIN_TIMEOUT)', async () => {
    const { url } = await serve((_req, res) => {
      // The origin's own pace: twice the viewer-idle limit, well inside ORIGIN_TIMEOUT.
      setTimeout(() => res.end('news'), 2000);
    });
    const reply = await request(h.gateway, `${url}poll`);
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe('news');
  });

  it('a stream that falls silent for longer than the idle limit keeps going: only a viewer that stops reading is cut', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: first\n\n');
      setTimeout(() => res.end('data: after a silence\n\n'), 2000);
    });
    let text = '';
    const res = await stream(url, (chunk) => {
      text += chunk;
    });
    await new Promise<void>((resolve, reject) => {
      res.on('end', resolve);
      res.on('error', reject);
    });
    // A quiet event stream may carry the gateway's probes, SSE comment lines (abandoned.test.ts).
    expect(text.replace(/^:\n/gm, '')).toBe('data: first\n\ndata: after a silence\n\n');
  });

  it('a viewer reading at 100 KiB/s does not slow a parallel fast download on the same session', async () => {
    const SIZE = 32 * 1024 * 1024;
    const block = Buffer.alloc(64 * 1024, 1);
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': String(SIZE) });
      let left = SIZE;
      const pump = () => {
        while (left > 0) {
          const chunk = block.subarray(0, Math.min(block.length, left));
          left -= chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    // The slow viewer: 100 KiB a second, in 10 KiB sips, in paused mode.
    let slowBytes = 0;
    let slowDone = false;
    const slow = await open(`${url}slow`);
    slow.on('end', () => {
      slowDone = true;
    });
    const sip = setInterval(() => {
      const chunk = slow.read(10 * 1024) as Buffer | null;
      if (chunk) slowBytes += chunk.length;
    }, 100);
    afterTest(() => clearInterval(sip));

    // The fast viewer downloads all of it while the slow one is still far from done.
    const hash = createHash('sha256');
    let fastBytes = 0;
    const fast = await open(`${url}fast`);
    await new Promise<void>((resolve, reject) => {
      fast.on('data', (chunk: Buffer) => {
        fastBytes += chunk.length;
        hash.update(chunk);
      });
      fast.on('end', resolve);
      fast.on('error', reject);
    });
    expect(fastBytes).toBe(SIZE);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(Buffer.alloc(SIZE, 1)).digest('hex'));
    expect(slowDone).toBe(false);
    expect(slowBytes).toBeLessThan(SIZE / 2);
  });

  // Here rather than with the other tunnel faults: under a loaded machine an upload can pause for
  // longer than their 1 s ORIGIN_TIMEOUT, which would turn this into a 504.
  it('a streamed upload reaches the origin piece by piece: each before the viewer sends the next', async () => {
    const seen: string[] = [];
    const arrived: (() => void)[] = [];
    const origin = await startOrigin((req, res) => {
      req.on('data', (chunk: Buffer) => {
        seen.push(chunk.toString());
        arrived.shift()?.();
      });
      req.on('end', () => res.end(seen.join('')));
    });
    const a = await startAgent(h, [origin.port]);
    const target = new URL(await a.agent.url(origin.port));
    const req = http.request({
      host: '127.0.0.1',
      port: h.gateway.port,
      method: 'POST',
      path: '/',
      headers: { host: target.host, 'content-type': 'text/plain' },
      agent: false,
    });
    afterTest(() => req.destroy());
    const reply = new Promise<string>((resolve, reject) => {
      req.on('response', (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
    });
    // Cause and effect: piece N+1 is written only once the origin has piece N (5 s each at most).
    for (const piece of ['one;', 'two;', 'three;']) {
      const got = new Promise<void>((resolve, reject) => {
        arrived.push(resolve);
        setTimeout(() => reject(new Error(`'${piece}' did not reach the origin before the next was sent`)), 5_000);
      });
      req.write(piece);
      await got;
    }
    req.end();
    expect(await reply).toBe('one;two;three;');
    expect(seen.join('')).toBe('one;two;three;');
  });

  it('an upload cut off by the tunnel dropping ends with a clean 502, not a hang', async () => {
    let received = 0;
    const halfway = signal();
    const origin = await startOrigin((req) => {
      req.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received >= 1024 * 1024) halfway.fire();
      });
    });
    const a = await startAgent(h, [origin.port], { backoff: { baseMs: 60_000, capMs: 60_000 } });
    const target = new URL(await a.agent.url(origin.port));
    let cut = false;
    const reply = new Promise<{ status: number; body: string }>((resolve) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: h.gateway.port,
          method: 'POST',
          path: '/',
          headers: { host: target.host },
          agent: false,
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            body += c;
          });
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, body });
            req.destroy();
          });
        },
      );
      req.on('error', (error) => resolve({ status: 0, body: JSON.stringify({ error: String(error) }) }));
      // Keeps sending until the gateway answers or the connection goes.
      const piece = Buffer.alloc(64 * 1024, 1);
      let answered = false;
      req.on('response', () => {
        answered = true;
      });
      // Once the tunnel is cut the viewer stops sending (without ending the body): the gateway's early
      // 502 is what is under test, not the race between Node's writes and workerd closing the socket.
      const pump = () => {
        while (!answered && !cut && !req.destroyed && req.write(piece)) {
          // Until the socket buffer is full.
        }
        if (!answered && !cut && !req.destroyed) req.once('drain', pump);
      };
      pump();
    });
    await halfway.promise;
    cut = true;
    a.agent.connection?.terminate();
    const answer = await reply;
    expect(answer.status).toBe(502);
    expect(JSON.parse(answer.body).error).toBe('tunnel_lost');
  });
});
