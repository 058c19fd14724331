/**
 * What the owner hears when a read of the client's request log (request-log.ts, the owner API's
 * `/requests` routes) is refused or fails: each a GatewayError with a stable code, so the
 * dashboard and scripts decide by code.
 */
import { GatewayError } from '../errors';

/** 429 `too_many_follows`: the session already carries `limit` live follows of its request log. */
export const tooManyFollows = (limit: number) =>
  new GatewayError(
    429,
    'too_many_follows',
    `This session already has ${limit} live follows of its request log open, the most it carries. Close one (another dashboard tab, a \`porthole requests --follow\`), or try again in a moment.`,
    { headers: { 'retry-after': '5' } },
  );

/** 429 `too_many_log_reads`: `limit` reads of the request log are already waiting for the client. */
export const tooManyLogReads = (limit: number) =>
  new GatewayError(
    429,
    'too_many_log_reads',
    `This session already has ${limit} reads of its request log in flight, the most it carries. Try again in a moment.`,
    { headers: { 'retry-after': '1' } },
  );

/** 504 `request_log_timeout`: the client did not start its answer within `seconds`. */
export const requestLogTimeout = (seconds: number) =>
  new GatewayError(
    504,
    'request_log_timeout',
    `The session's client did not answer the request-log read within ${seconds} s.`,
  );

/** 502 `request_log_failed`: the client answered with something the gateway does not pass on, or reset the stream. */
export const requestLogFailed = (why: string, cause?: unknown) =>
  new GatewayError(502, 'request_log_failed', `The session's client failed to answer the request-log read: ${why}.`, {
    cause,
  });
