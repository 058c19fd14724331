/**
 * What the control plane reads from a request: the bearer token, a JSON
 * object body, a ttl, a port. Bad input is a 400 `bad_request` (or a 401 for
 * a missing or refused bearer token) saying what was expected.
 */
import { parseJsonObject } from '../../protocol/api';
import { portFrom } from '../../protocol/ids';
import { type TokenClaims, TokenError, type TokenKind, type TokenProblem, verifyToken } from '../auth/tokens';
import type { GatewayConfig } from '../config';
import { badRequest, bodyTooLarge } from '../control-errors';
import { bearerRefused } from '../access/refusals';

/** Whether a WebSocket upgrade offers the subprotocol `name` (`Sec-WebSocket-Protocol`, RFC 6455 §4.1: a comma-separated list). */
export function offersSubprotocol(request: Request, name: string): boolean {
  return (request.headers.get('sec-websocket-protocol') ?? '').split(',').some((p) => p.trim() === name);
}

/** The token of `Authorization: Bearer <token>`, or null. */
export function bearer(request: Request): string | null {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '');
  return match ? (match[1] as string) : null;
}

const tokenProblems: Record<TokenProblem, string> = {
  expired: 'has expired',
  not_yet_valid: 'is not valid yet',
  unknown_key: 'was signed with a key this gateway does not hold',
  too_large: 'is too large',
  invalid: 'is not valid',
};

/**
 * The claims of the request's bearer token of `kind`, or a 401 saying what is
 * wrong with it. `needed` starts the message when there is no token at all.
 */
export async function bearerClaims(
  request: Request,
  config: GatewayConfig,
  kind: TokenKind,
  needed: string,
): Promise<TokenClaims> {
  const token = bearer(request);
  if (!token) throw bearerRefused(`${needed}: Authorization: Bearer <token>.`);
  try {
    return await verifyToken(config, token, [kind]);
  } catch (error) {
    if (error instanceof TokenError) throw bearerRefused(`The ${kind} token ${tokenProblems[error.problem]}.`);
    throw error;
  }
}

/** Bytes of a JSON body read at most: the largest, a session with a full policy (3 × 32 entries), is under 100 KiB even escaped. */
export const MAX_JSON_BODY = 256 * 1024;

/**
 * The body as text, or 413 `body_too_large` past MAX_JSON_BODY: the rest is read and dropped, not
 * kept (the Worker's memory is every session's; an answer sent before the body is taken is cut off
 * by some fronts, the local one among them, as a 502).
 */
async function boundedText(request: Request): Promise<string> {
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes <= MAX_JSON_BODY) chunks.push(value);
  }
  if (bytes > MAX_JSON_BODY) throw bodyTooLarge(MAX_JSON_BODY);
  return new Blob(chunks).text();
}

/** A JSON object body (an empty body is `{}`), or a 400 (413 past MAX_JSON_BODY). */
export async function jsonBody(request: Request): Promise<Record<string, unknown>> {
  const body = parseJsonObject(await boundedText(request));
  if (!body) throw badRequest('The request body must be a JSON object.');
  return body;
}

/** Bounds of a ttl, in seconds. */
export interface TtlBounds {
  default: number;
  min: number;
  max: number;
}

/** A whole number of seconds within `bounds`, `bounds.default` when absent, or a 400. */
export function ttlOf(value: unknown, bounds: TtlBounds): number {
  if (value === undefined) return bounds.default;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < bounds.min || value > bounds.max) {
    throw badRequest(`ttl must be a whole number of seconds from ${bounds.min} to ${bounds.max}.`);
  }
  return value;
}

/** A port number 1–65535 (a number, or digits in a path), or a 400. */
export function portOf(value: unknown): number {
  const port = portFrom(value);
  if (port === null) throw badRequest('port must be a port number from 1 to 65535.');
  return port;
}
