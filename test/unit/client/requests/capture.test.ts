import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { asText, BodyCapture } from '../../../../client/requests/capture';
import { REDACTED, redactHeaders } from '../../../../client/requests/redact';

describe('BodyCapture', () => {
  it('counts every byte, keeps the first `limit`, hashes what it kept', () => {
    const capture = new BodyCapture(5);
    capture.add(Buffer.from('abc'));
    capture.add(Buffer.from('defgh'));
    expect(capture.bytes).toBe(8);
    expect(capture.captured).toBe(5);
    expect(capture.whole()).toBeNull();
    expect(capture.view()).toEqual({
      bytes: 8,
      captured: 5,
      truncated: true,
      text: 'abcde',
      sha256: createHash('sha256').update('abcde').digest('hex'),
    });
  });

  it('copies what it keeps: a buffer reused by its owner does not change the log', () => {
    const capture = new BodyCapture(10);
    const chunk = Buffer.from('hello');
    capture.add(chunk);
    chunk.fill(0);
    expect(capture.view()?.text).toBe('hello');
    expect(capture.whole()?.toString()).toBe('hello');
  });

  it('binary is base64; no body at all is undefined', () => {
    const capture = new BodyCapture(16);
    capture.add(new Uint8Array([0, 1, 2, 255]));
    expect(capture.view()).toMatchObject({ base64: 'AAEC/w==', captured: 4, truncated: false });
    expect(new BodyCapture(16).view()).toBeUndefined();
  });
});

describe('asText', () => {
  it('UTF-8 text, even when the bound cut a character in two', () => {
    const bytes = Buffer.from('héllo €');
    expect(asText(bytes)).toBe('héllo €');
    expect(asText(bytes.subarray(0, bytes.length - 1))).toBe('héllo ');
  });

  it('not text: invalid UTF-8, or control characters', () => {
    expect(asText(new Uint8Array([0xff, 0xfe, 0x41, 0x42, 0x43]))).toBeNull();
    expect(asText(Buffer.from('a\u0000b'))).toBeNull();
    expect(asText(Buffer.from('line\r\n\tindent'))).toBe('line\r\n\tindent');
  });
});

describe('redactHeaders', () => {
  it('keeps schemes, cookie names and attributes; drops every secret', () => {
    const shown = redactHeaders([
      ['Authorization', 'Bearer abc.def.ghi'],
      ['proxy-authorization', 'Basic dXNlcjpwYXNz'],
      ['Cookie', 'sid=s3cret; theme=dark'],
      ['set-cookie', 'sid=s3cret; Path=/; HttpOnly'],
      ['X-API-Key', 'k-123'],
      ['accept', 'text/html'],
    ]);
    expect(shown).toEqual([
      ['Authorization', `Bearer ${REDACTED}`],
      ['proxy-authorization', `Basic ${REDACTED}`],
      ['Cookie', `sid=${REDACTED}; theme=${REDACTED}`],
      ['set-cookie', `sid=${REDACTED}; Path=/; HttpOnly`],
      ['X-API-Key', REDACTED],
      ['accept', 'text/html'],
    ]);
    expect(JSON.stringify(shown)).not.toMatch(/abc\.def|dXNlcjpw|s3cret|k-123/);
  });

  it('a credential without a scheme is redacted whole', () => {
    expect(redactHeaders([['authorization', 'tokenonly']])).toEqual([['authorization', REDACTED]]);
  });
});
