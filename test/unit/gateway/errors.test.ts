import { describe, expect, it, vi } from 'vitest';
import { ResetCode, StreamLimitError, StreamResetError } from '../../../protocol';
import { asGatewayError, GatewayError, streamFailure } from '../../../gateway/errors';

const reset = (code: number, message = 'what the client said') => new StreamResetError(code, message, true);

describe('streamFailure: a stream reset before the response head, as the viewer sees it (README table)', () => {
  it.each([
    [ResetCode.REFUSED, 502, 'origin_unreachable'],
    [ResetCode.NOT_EXPOSED, 503, 'port_not_listening'],
    [ResetCode.TIMEOUT, 504, 'origin_timeout'],
    [ResetCode.TUNNEL_CLOSED, 502, 'tunnel_lost'],
    [ResetCode.ORIGIN_ERROR, 502, 'origin_error'],
    [ResetCode.REVOKED, 403, 'access_withdrawn'],
  ])('reset code %i → %i %s', (code, status, error) => {
    const failure = streamFailure(reset(code), 8000, 60);
    expect(failure.status).toBe(status);
    expect(failure.code).toBe(error);
  });

  it('names the port and the timeout, and keeps the reset as the cause of a 502/504', () => {
    const cause = reset(ResetCode.TIMEOUT);
    const failure = streamFailure(cause, 3000, 2.5);
    expect(failure.message).toBe('The server on port 3000 did not answer within 2.5 s.');
    expect(failure.cause).toBe(cause);
    expect(streamFailure(reset(ResetCode.REFUSED, 'connect ECONNREFUSED'), 3000, 60).message).toContain(
      'Nothing answered on port 3000 inside the session. Is the server running? (connect ECONNREFUSED)',
    );
  });

  it('rethrows anything that is not a stream reset (a bug, for the one error path)', () => {
    const bug = new TypeError('x is undefined');
    expect(() => streamFailure(bug, 3000, 60)).toThrow(bug);
  });
});

describe('asGatewayError', () => {
  it('keeps a GatewayError, makes the stream limit a 503 with Retry-After, anything else a 500 with its cause', () => {
    const own = new GatewayError(418, 'teapot', 'short and stout');
    expect(asGatewayError(own)).toBe(own);
    const limit = asGatewayError(new StreamLimitError(256));
    expect([limit.status, limit.code, limit.headers['retry-after']]).toEqual([503, 'too_many_streams', '1']);
    const bug = new Error('boom');
    const internal = asGatewayError(bug);
    expect([internal.status, internal.code, internal.cause]).toEqual([500, 'internal', bug]);
  });
});

describe("the log of an origin's failure", () => {
  it('is one line with the cause named (no stack: a refused or reset origin is everyday), while a 500 keeps its stack', () => {
    const warned: unknown[][] = [];
    const errored: unknown[][] = [];
    const warn = vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => void warned.push(args));
    const error = vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void errored.push(args));
    try {
      const refused = streamFailure(new StreamResetError(ResetCode.REFUSED, 'connection refused', true), 3000, 10);
      refused.toResponse(new Request('http://x.localhost/'));
      expect(warned).toHaveLength(1);
      expect(warned[0]).toHaveLength(1);
      expect(String(warned[0]![0])).toMatch(/^porthole: 502 .*\(StreamResetError: connection refused\)$/);
      expect(String(warned[0]![0])).not.toContain('\n');
      asGatewayError(new Error('a bug')).toResponse(new Request('http://x.localhost/'));
      expect(errored[0]![1]).toBeInstanceOf(Error);
    } finally {
      warn.mockRestore();
      error.mockRestore();
    }
  });
});
