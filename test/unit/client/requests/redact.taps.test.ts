/** Credentials out of logged headers: the app's Authorization, Cookie, Set-Cookie and API keys. */
import { describe, expect, it } from 'vitest';
import { REDACTED, redactHeaders, redactValue } from '../../../../client/requests/redact';

describe('redact', () => {
  it('keeps the scheme of Authorization and Proxy-Authorization, any case of the name', () => {
    expect(redactValue('Authorization', 'Bearer abc.def')).toBe(`Bearer ${REDACTED}`);
    expect(redactValue('proxy-authorization', 'Basic dXNlcjpwYXNz')).toBe(`Basic ${REDACTED}`);
    expect(redactValue('AUTHORIZATION', 'justatoken')).toBe(REDACTED);
  });

  it('keeps cookie names and Set-Cookie attributes, never values', () => {
    expect(redactValue('cookie', 'a=1; b=2')).toBe(`a=${REDACTED}; b=${REDACTED}`);
    // A nameless cookie is all value.
    expect(redactValue('Cookie', 'nameless-secret; a=1')).toBe(`${REDACTED}; a=${REDACTED}`);
    expect(redactValue('Set-Cookie', 'sid=xyz; Path=/; HttpOnly')).toBe(`sid=${REDACTED}; Path=/; HttpOnly`);
    expect(redactValue('set-cookie', 'opaque')).toBe(REDACTED);
  });

  it('hides API-key headers whole and leaves other headers alone', () => {
    expect(redactValue('X-Api-Key', 'k')).toBe(REDACTED);
    expect(redactValue('x-csrf-token', 't')).toBe(REDACTED);
    expect(redactValue('content-type', 'text/plain')).toBe('text/plain');
  });

  it('redacts a header block into a copy, names and order kept', () => {
    const headers: [string, string][] = [
      ['Cookie', 's=secret'],
      ['Accept', '*/*'],
      ['Cookie', 't=other'],
    ];
    const shown = redactHeaders(headers);
    expect(shown).toEqual([
      ['Cookie', `s=${REDACTED}`],
      ['Accept', '*/*'],
      ['Cookie', `t=${REDACTED}`],
    ]);
    expect(headers[0]?.[1]).toBe('s=secret');
    expect(JSON.stringify(shown)).not.toContain('secret');
  });
});
