/** The Worker's check of a request-log read (routes/log-query.ts logTarget): what passes on to the client. */
import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../gateway/errors';
import { LOG_QUERY_LENGTHS, logTarget } from '../../../gateway/routes/log-query';

const target = (query: string, id?: string) =>
  logTarget(new URL(`http://porthole.localhost/api/sessions/s/requests${query}`), id);

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return `${error.status} ${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('not refused');
}

describe('logTarget', () => {
  it('passes the known parameters on, re-encoded, and says whether it is a follow', () => {
    expect(target('')).toEqual({ path: '/v1/requests', follow: false });
    expect(target('?port=3000&status=5xx&path=%2Fapi%2F&follow=1')).toEqual({
      path: '/v1/requests?port=3000&status=5xx&path=%2Fapi%2F&follow=1',
      follow: true,
    });
    expect(target('?follow=true&after=12&limit=50&viewer=link&method=POST').follow).toBe(true);
    expect(target('', '42')).toEqual({ path: '/v1/requests/42', follow: false });
  });

  it('refuses unknown, repeated and over-long parameters, and a bad follow or id, with 400', () => {
    expect(refusal(() => target('?x=1'))).toMatch(/^400 bad_request: Unknown parameter "x"/);
    expect(refusal(() => target('?port=1&port=2'))).toContain('given twice');
    for (const [name, longest] of Object.entries(LOG_QUERY_LENGTHS)) {
      expect(refusal(() => target(`?${name}=${'1'.repeat(longest + 1)}`))).toContain(`longer than ${longest}`);
    }
    expect(refusal(() => target('?follow=yes'))).toContain('follow must be 1 or true');
    for (const id of ['0', 'abc', '1.5', '-1', '1234567890123456', '%31']) {
      expect(refusal(() => target('', id))).toMatch(/^400 bad_request/);
    }
    expect(refusal(() => target('?limit=1', '3'))).toContain('without query parameters');
  });
});
