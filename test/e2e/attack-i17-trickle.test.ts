/**
 * ATTACK (issue 17): a public viewer trickles an upload through the gateway a byte at a time. Each
 * byte reaches the client's request log as a chunk of its own; the log keeps the body in one buffer
 * (client/requests/capture.ts), counted at its size, not as an object per chunk.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogEntry } from '../../client/requests/entry';
import { afterTest, type Harness, startAgent, startHarness, startOrigin, waitFor } from './harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

describe('ATTACK: an upload trickled a byte at a time', () => {
  it('reaches the log a byte per chunk, kept in one buffer the log counts', async () => {
    const o = await startOrigin((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    const a = await startAgent(h, [o.port]);
    const url = new URL(await a.agent.url(o.port));
    const chunks: number[] = [];
    const original = LogEntry.prototype.requestData;
    LogEntry.prototype.requestData = function (this: LogEntry, chunk: Uint8Array) {
      chunks.push(chunk.length);
      original.call(this, chunk);
    };
    afterTest(() => (LogEntry.prototype.requestData = original));
    const bytes = 200;
    const req = http.request({
      host: '127.0.0.1',
      port: h.gateway.port,
      method: 'POST',
      path: '/trickle',
      headers: { host: url.host, 'transfer-encoding': 'chunked' },
    });
    const answered = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
    });
    for (let i = 1; i <= bytes; i++) {
      req.write('x');
      // Each byte is sent once the one before reached the log: one chunk each.
      await waitFor(() => a.agent.requests.list({ path: '/trickle' }).at(-1)?.bytesIn === i, `byte ${i} in the log`);
    }
    req.end();
    expect(await answered).toBe(200);
    expect(chunks.length).toBe(bytes);
    const id = a.agent.requests.list({ path: '/trickle' }).at(-1)!.id;
    const body = a.agent.requests.entry(id)!.requestBody;
    expect(body.captured).toBe(bytes);
    expect(body.held).toBeLessThanOrEqual(2 * bytes);
  });
});
