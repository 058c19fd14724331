/**
 * A GatewayError across Workers RPC (a Session object's method → the Worker). The runtime carries
 * only a thrown error's message over RPC (the class and its fields are dropped: a 409 would reach
 * the Worker as a 500), so the Session object's RPC boundary (session/rpc.ts) throws a plain Error
 * whose message is RPC_ERROR_PREFIX and the JSON of RpcErrorFields, and the Worker's one error path
 * (errors.ts asGatewayError) reads it back into the same answer (docs/rpc-errors.md).
 *
 * Pure: no runtime APIs, so it is unit-tested in Node (test/unit/gateway/rpc-error.test.ts).
 */
import type { GatewayError } from './errors';

/** What starts the message of an encoded GatewayError. */
export const RPC_ERROR_PREFIX = 'porthole:gateway_error:';

/**
 * The response headers that cross with an error: how long to wait before trying again. No other
 * header does (a Set-Cookie, say, is the Worker's to set, never a Session object's).
 */
export const RPC_ERROR_HEADERS: readonly string[] = ['retry-after'];

/** What crosses: all a GatewayError's answer needs (errors.ts GatewayError, GatewayErrorOptions). */
export interface RpcErrorFields {
  /** HTTP status, 400–599. */
  status: number;
  /** The stable code (`too_many_links`, `session_ended`, …): lowercase letters, digits and `_`. */
  code: string;
  message: string;
  /** Of RPC_ERROR_HEADERS only, lowercase names. */
  headers: Record<string, string>;
  problems?: string[];
  waitingFor?: string;
  /** The cause, as text (its class and stack stay in the object): logged by the Worker with a 500/502/504. */
  cause?: string;
}

const CODE = /^[a-z][a-z0-9_]{0,63}$/;

/** `error` as the Error a Session object's RPC method throws so that the Worker can answer it as itself. */
export function encodeRpcError(error: GatewayError): Error {
  const headers: Record<string, string> = {};
  for (const name of RPC_ERROR_HEADERS) {
    const value = error.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  const fields: RpcErrorFields = {
    status: error.status,
    code: error.code,
    message: error.message,
    headers,
    ...(error.problems ? { problems: [...error.problems] } : {}),
    ...(error.waitingFor !== undefined ? { waitingFor: error.waitingFor } : {}),
    ...(error.cause !== undefined ? { cause: String(error.cause) } : {}),
  };
  return new Error(RPC_ERROR_PREFIX + JSON.stringify(fields));
}

/**
 * The fields of an Error that encodeRpcError made (as it arrives over RPC: a plain Error with the
 * message only); null for any other value, or one whose fields are not all as RpcErrorFields says
 * (its status out of 400–599, its code not a code, a header other than RPC_ERROR_HEADERS …).
 */
export function decodeRpcError(error: unknown): RpcErrorFields | null {
  if (!(error instanceof Error) || !error.message.startsWith(RPC_ERROR_PREFIX)) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(error.message.slice(RPC_ERROR_PREFIX.length));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { status, code, message, headers, problems, waitingFor, cause } = parsed as Record<string, unknown>;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599) return null;
  if (typeof code !== 'string' || !CODE.test(code) || typeof message !== 'string') return null;
  if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return null;
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (!RPC_ERROR_HEADERS.includes(name) || typeof value !== 'string') return null;
    kept[name] = value;
  }
  if (problems !== undefined && !(Array.isArray(problems) && problems.every((p) => typeof p === 'string'))) {
    return null;
  }
  if (waitingFor !== undefined && typeof waitingFor !== 'string') return null;
  if (cause !== undefined && typeof cause !== 'string') return null;
  return {
    status,
    code,
    message,
    headers: kept,
    ...(problems !== undefined ? { problems: problems as string[] } : {}),
    ...(waitingFor !== undefined ? { waitingFor } : {}),
    ...(cause !== undefined ? { cause } : {}),
  };
}
