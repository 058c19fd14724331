/**
 * Queue, don't refuse (issue 15 item 3), with the default limits: 1,000
 * concurrent keep-alive connections of small GETs from one client address on
 * one session are all answered 200, with no socket error. Before the queue,
 * everything past the lone viewer's half of MAX_STREAMS was refused at once
 * (429 or 503), and under immediate retries the refusals starved the rest.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startAgent, startHarness, startOrigin } from './harness';

/** Connections open at once, each with one GET in flight. */
const CONNECTIONS = 1000;
/** GETs per connection, one after another on the same kept-alive socket. */
const ROUNDS = 2;

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

/** One GET on `agent`: its status, or the socket error's code. */
function get(agent: http.Agent, host: string, path: string): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port: h.gateway.port, path, headers: { host }, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

describe('1,000 concurrent connections on one session', () => {
  it('from one address, at the default limits: every GET answered 200, no socket error', async () => {
    const origin = await startOrigin((_req, res) => res.end('hello'));
    const a = await startAgent(h, [origin.port]);
    const host = new URL(await a.agent.url(origin.port)).host;
    const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    try {
      const started = Date.now();
      const answers = await Promise.all(
        Array.from({ length: CONNECTIONS }, async (_, i) => {
          const statuses = [];
          for (let round = 0; round < ROUNDS; round++) statuses.push(await get(agent, host, `/small?c=${i}`));
          return statuses;
        }),
      );
      const tally = new Map<number | string, number>();
      for (const status of answers.flat()) tally.set(status, (tally.get(status) ?? 0) + 1);
      console.log(
        `queue: ${CONNECTIONS} connections × ${ROUNDS} GETs in ${Date.now() - started} ms:`,
        JSON.stringify(Object.fromEntries(tally)),
      );
      expect(Object.fromEntries(tally)).toEqual({ 200: CONNECTIONS * ROUNDS });
    } finally {
      agent.destroy();
    }
  }, 120_000);
});
