/**
 * A GatewayError across Workers RPC (gateway/rpc-error.ts, session/rpc.ts): encoded in a Session
 * object's RPC method, it arrives as a plain Error with the message only (as workerd carries it), and
 * the Worker's error path (errors.ts asGatewayError) answers it as the same status, code, message and
 * Retry-After; anything not made by the encoder stays a 500.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { asGatewayError, GatewayError, sessionEnded, sessionOffline } from '../../../gateway/errors';
import { tooManyLinks } from '../../../gateway/control-errors';
import { decodeRpcError, encodeRpcError, RPC_ERROR_PREFIX } from '../../../gateway/rpc-error';
import { overRpc } from '../../../gateway/session/rpc';

/** What the Worker holds after RPC: the runtime keeps the message and drops the class and fields. */
const acrossRpc = (error: Error) => new Error(error.message);

describe('a GatewayError across RPC', () => {
  it('409 too_many_links and 410 session_ended arrive as themselves', () => {
    const links = asGatewayError(acrossRpc(encodeRpcError(tooManyLinks('a session holds at most 500 live links'))));
    expect(links).toBeInstanceOf(GatewayError);
    expect([links.status, links.code, links.message]).toEqual([
      409,
      'too_many_links',
      'a session holds at most 500 live links',
    ]);
    const ended = asGatewayError(acrossRpc(encodeRpcError(sessionEnded())));
    expect([ended.status, ended.code, ended.message]).toEqual([410, 'session_ended', sessionEnded().message]);
  });

  it("keeps Retry-After and a waiting answer's subject, and the cause as text", () => {
    const offline = asGatewayError(acrossRpc(encodeRpcError(sessionOffline())));
    expect(offline.headers).toEqual({ 'retry-after': '5' });
    expect(offline.waitingFor).toBe('the session');
    const failed = new GatewayError(502, 'origin_error', 'it broke', { cause: new TypeError('x is undefined') });
    expect(asGatewayError(acrossRpc(encodeRpcError(failed))).cause).toBe('TypeError: x is undefined');
  });

  it('drops every header but Retry-After (a cookie is never a Session object’s to set)', () => {
    const error = new GatewayError(403, 'forbidden', 'no', { headers: { 'set-cookie': 'a=b', 'retry-after': '1' } });
    expect(decodeRpcError(acrossRpc(encodeRpcError(error)))?.headers).toEqual({ 'retry-after': '1' });
  });

  it('round-trips any GatewayError of a 4xx/5xx status and a code', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 400, max: 599 }),
        fc.stringMatching(/^[a-z][a-z0-9_]{0,20}$/),
        fc.string(),
        fc.option(fc.string(), { nil: undefined }),
        fc.option(fc.array(fc.string(), { maxLength: 3 }), { nil: undefined }),
        (status, code, message, retryAfter, problems) => {
          const headers: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': retryAfter };
          const error = new GatewayError(status, code, message, { headers, problems });
          const back = asGatewayError(acrossRpc(encodeRpcError(error)));
          expect([back.status, back.code, back.message, back.headers, back.problems]).toEqual([
            status,
            code,
            message,
            headers,
            problems,
          ]);
        },
      ),
    );
  });

  it('anything else with the prefix, or malformed, is a 500 internal with the error as its cause', () => {
    const fields = { status: 409, code: 'too_many_links', message: 'm', headers: {} };
    const bad = [
      `${RPC_ERROR_PREFIX}not json`,
      `${RPC_ERROR_PREFIX}null`,
      `${RPC_ERROR_PREFIX}${JSON.stringify({ ...fields, status: 200 })}`,
      `${RPC_ERROR_PREFIX}${JSON.stringify({ ...fields, status: 409.5 })}`,
      `${RPC_ERROR_PREFIX}${JSON.stringify({ ...fields, code: 'Not A Code' })}`,
      `${RPC_ERROR_PREFIX}${JSON.stringify({ ...fields, message: 1 })}`,
      `${RPC_ERROR_PREFIX}${JSON.stringify({ ...fields, headers: { 'set-cookie': 'a=b' } })}`,
      `${RPC_ERROR_PREFIX}${JSON.stringify({ ...fields, problems: [1] })}`,
      `x${RPC_ERROR_PREFIX}${JSON.stringify(fields)}`,
    ];
    for (const message of bad) {
      const error = new Error(message);
      expect(decodeRpcError(error), message).toBeNull();
      const answer = asGatewayError(error);
      expect([answer.status, answer.code, answer.cause]).toEqual([500, 'internal', error]);
    }
    expect(decodeRpcError(`${RPC_ERROR_PREFIX}${JSON.stringify(fields)}`)).toBeNull(); // a string, not an Error
    expect(decodeRpcError(new Error(`${RPC_ERROR_PREFIX}${JSON.stringify(fields)}`))).toEqual(fields);
  });
});

describe('overRpc, the Session object’s RPC boundary', () => {
  it('passes a value through, encodes a GatewayError, and rethrows anything else as it is', async () => {
    expect(await overRpc(async () => 7)).toBe(7);
    const thrown = await overRpc(() => Promise.reject(tooManyLinks('full'))).catch((error: unknown) => error);
    expect(thrown).not.toBeInstanceOf(GatewayError);
    expect((thrown as Error).message.startsWith(RPC_ERROR_PREFIX)).toBe(true);
    expect(asGatewayError(acrossRpc(thrown as Error))).toMatchObject({ status: 409, code: 'too_many_links' });
    const bug = new TypeError('a bug');
    await expect(overRpc(() => Promise.reject(bug))).rejects.toBe(bug);
  });
});
