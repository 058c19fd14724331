/** Body capture: every byte counted, the first `limit` kept (a copy), text or base64 and SHA-256 on view. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { asText, BodyCapture } from '../../../../client/requests/capture';

const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('BodyCapture', () => {
  it('keeps the first `limit` bytes over several chunks and counts the rest', () => {
    const body = new BodyCapture(10);
    body.add(Buffer.from('hello '));
    body.add(Buffer.from('world, and more'));
    expect(body.view()).toEqual({
      bytes: 21,
      captured: 10,
      truncated: true,
      text: 'hello worl',
      sha256: sha(Buffer.from('hello worl')),
    });
    expect(body.whole()).toBeNull();
  });

  it('copies what it keeps: the caller may reuse its buffer', () => {
    const body = new BodyCapture(4);
    const chunk = Buffer.from('abcd');
    body.add(chunk);
    chunk.fill(0);
    expect(body.whole()?.toString()).toBe('abcd');
  });

  it('shows binary as base64, and nothing when no byte crossed', () => {
    const body = new BodyCapture(100);
    expect(body.view()).toBeUndefined();
    body.add(new Uint8Array(0));
    expect(body.view()).toBeUndefined();
    const bytes = new Uint8Array([0, 1, 2, 255]);
    body.add(bytes);
    expect(body.view()).toEqual({ bytes: 4, captured: 4, truncated: false, base64: 'AAEC/w==', sha256: sha(bytes) });
  });

  it('a limit of 0 keeps nothing, but counts', () => {
    const body = new BodyCapture(0);
    body.add(Buffer.from('abc'));
    expect(body.view()).toMatchObject({ bytes: 3, captured: 0, truncated: true, text: '' });
  });
});

describe('asText', () => {
  it('drops a UTF-8 sequence cut at the bound, keeps whole characters', () => {
    const euro = Buffer.from('price: €', 'utf8'); // € is 3 bytes.
    expect(asText(euro)).toBe('price: €');
    expect(asText(euro.subarray(0, euro.length - 1))).toBe('price: ');
    expect(asText(euro.subarray(0, euro.length - 2))).toBe('price: ');
    const body = new BodyCapture(euro.length - 1);
    body.add(euro);
    expect(body.view()).toMatchObject({ text: 'price: ', captured: euro.length - 1, truncated: true });
  });

  it('is null for control characters and bytes that are not UTF-8', () => {
    expect(asText(Buffer.from('tab\tnewline\r\n'))).toBe('tab\tnewline\r\n');
    expect(asText(Buffer.from('bell\u0007'))).toBeNull();
    expect(asText(Buffer.from([0x61, 0xff, 0x62, 0x63, 0x64]))).toBeNull();
  });
});
