/**
 * ATTACK (issue 17): a hostile viewer trickles a request body a byte at a time. The log's byte
 * bound counts kept bytes; each kept chunk used to be a Buffer object of its own (some 200 bytes of
 * heap for one byte kept), so the default 32 MiB bound let such uploads hold gigabytes.
 */
import { describe, expect, it } from 'vitest';
import { BodyCapture } from '../../../../client/requests/capture';
import { RequestLog } from '../../../../client/requests/log';
import type { OpenRequest } from '../../../../protocol';

const open: OpenRequest = {
  port: 3000,
  method: 'POST',
  path: '/upload',
  headers: [],
  host: 'h',
  hasBody: true,
  upgrade: false,
  viewer: { kind: 'public' },
};

describe('ATTACK: a body in one-byte chunks', () => {
  it('costs the log about what its bound counts, not a Buffer per chunk', () => {
    const one = new Uint8Array([0x61]);
    const before = process.memoryUsage();
    const captures: BodyCapture[] = [];
    for (let i = 0; i < 100; i++) {
      const capture = new BodyCapture(4096);
      for (let j = 0; j < 4096; j++) capture.add(one);
      captures.push(capture);
    }
    const after = process.memoryUsage();
    const grown = after.heapUsed - before.heapUsed + (after.external - before.external);
    // 400 KiB kept; a Buffer per chunk was some 80 MiB of heap.
    expect(grown).toBeLessThan(20 * 1024 * 1024);
    for (const capture of captures) {
      expect(capture.captured).toBe(4096);
      expect(capture.held).toBeLessThanOrEqual(2 * capture.captured);
      expect(capture.whole()?.toString()).toBe('a'.repeat(4096));
    }
  });

  it('keeps the bytes in order across growth and at the limit, and the log counts the memory held', () => {
    const capture = new BodyCapture(10);
    for (const part of ['a', 'bc', 'def', 'ghij', 'klm']) capture.add(Buffer.from(part));
    expect(capture.view()).toMatchObject({ bytes: 13, captured: 10, truncated: true, text: 'abcdefghij' });
    expect(capture.held).toBe(10);

    const log = new RequestLog({ bodyBytes: 1000, maxBytes: 1 << 20 });
    const entry = log.begin(open)!;
    const start = log.bytes;
    for (let i = 0; i < 5; i++) entry.requestData(one());
    expect(entry.requestBody.held).toBeGreaterThanOrEqual(5);
    expect(log.bytes - start).toBe(entry.requestBody.held);
    entry.release();
    expect(entry.requestBody.held).toBe(0);
  });
});

function one(): Uint8Array {
  return new Uint8Array([0x62]);
}
