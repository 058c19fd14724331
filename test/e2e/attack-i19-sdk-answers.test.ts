/**
 * ATTACK (issue 19, the SDK): a hostile or broken gateway answers the SDK's JSON calls without end.
 * - a body that never stops: the SDK kept every byte in one string (the process's memory, then
 *   V8's string limit: a RangeError thrown from a socket handler, which crashes the process). It
 *   must refuse past its bound, 502 `bad_answer`, and stop reading.
 * - a body that trickles a byte at a time: `timeoutMs` ("milliseconds one call may take") was the
 *   socket's idle timeout, so a byte every 200 ms held the call for as long as the gateway liked.
 *   It must reject at `timeoutMs`, 502 `gateway_unreachable`.
 * A fake gateway on loopback (port 0) plays the hostile part; every loop is bounded.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PortholeAdmin } from '../../client/sdk';

/** Bytes the endless answer writes at most before it gives up (bounded loop); far past any real answer. */
const FLOOD_CAP = 128 * 1024 * 1024;
const CHUNK = Buffer.alloc(1024 * 1024, 'a');
let flooded = 0;

const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  if (req.url?.startsWith('/api/sessions/flood')) {
    res.write('{"session":"');
    const pump = () => {
      while (flooded < FLOOD_CAP && !res.destroyed) {
        flooded += CHUNK.byteLength;
        if (!res.write(CHUNK)) return void res.once('drain', pump);
      }
      if (!res.destroyed) res.end('"}');
    };
    pump();
    return;
  }
  // A trickle: a byte every 200 ms, at most 100 of them (20 s), never a whole answer before then.
  let sent = 0;
  const timer = setInterval(() => {
    if (res.destroyed || sent >= 100) {
      clearInterval(timer);
      if (!res.destroyed) res.end();
      return;
    }
    sent += 1;
    res.write(' ');
  }, 200);
  res.on('close', () => clearInterval(timer));
});

let gateway: string;
beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  gateway = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('the SDK against a hostile gateway', () => {
  it('refuses an answer past its bound (502 bad_answer) and stops reading it', async () => {
    const admin = new PortholeAdmin({ gateway, adminToken: 'admin', timeoutMs: 60_000 });
    const error = await admin.getSession('flood').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, code: 'bad_answer' });
    // The SDK stopped reading: the fake gateway wrote little more than the bound, not all it had.
    expect(flooded).toBeLessThan(FLOOD_CAP / 2);
  });

  it('rejects a trickling answer at timeoutMs (502 gateway_unreachable), not at its end', async () => {
    const admin = new PortholeAdmin({ gateway, adminToken: 'admin', timeoutMs: 1500 });
    const started = Date.now();
    const error = await admin.getSession('trickle').catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 502, code: 'gateway_unreachable' });
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
