/**
 * ATTACK (issue 17): a hostile viewer sends requests of thousands of tiny headers (`h1: v`, within
 * the gateway's 32 KiB head). The log's byte bound counted only their characters, while each pair
 * costs some 70 bytes of heap: the 32 MiB bound held about 250 MiB.
 */
import { describe, expect, it } from 'vitest';
import { RequestLog } from '../../../../client/requests/log';

describe('ATTACK: requests of many tiny headers', () => {
  it('cost the log about what its bound counts', () => {
    const headers: [string, string][] = [];
    for (let i = 0; i < 3200; i++) headers.push([`h${i.toString(36)}`, 'v']);
    // Decoded as the tunnel decodes an OPEN (JSON): strings and arrays of their own.
    const json = JSON.stringify({
      port: 3000,
      method: 'GET',
      path: '/',
      headers,
      host: 'h',
      hasBody: false,
      upgrade: false,
      viewer: { kind: 'public' },
    });
    const log = new RequestLog({ maxBytes: 1 << 30 });
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 200; i++) {
      const entry = log.begin(JSON.parse(json))!;
      entry.head(200, []);
      entry.end();
    }
    const grown = process.memoryUsage().heapUsed - before;
    // Some 43 MiB of heap; counting characters only said 5.6 MiB.
    expect(grown).toBeLessThan(2 * log.bytes);
  });
});
