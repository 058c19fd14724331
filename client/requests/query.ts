/**
 * The request log's read API, one definition for every way in: the control
 * socket (`GET /v1/requests…`), the owner's dashboard through the tunnel
 * (OPEN on port 0, protocol v7) and, through the control socket, the CLI and
 * the MCP tools.
 *   GET /v1/requests[?port=&status=&method=&path=&viewer=&after=&limit=]
 *       → [summary] oldest first: the `limit` newest matches (default 100, at most the log's capacity)
 *   GET /v1/requests?follow=1[&filters]
 *       → NDJSON: the `limit` newest matches (default 10), then each match as its head comes
 *         (`state: "open"`) and as it ends
 *   GET /v1/requests/<id> → the request in full; 404 `request_not_found` once it left the ring
 * `status` is a class (`5xx`), a status (`404`) or `error` (Porthole answered, or the stream ended early).
 */
import { isPort, VIEWER_KINDS } from '../../protocol';
import { PortholeApiError } from '../net/http';
import type { RequestFilter, RequestLog } from './log';
import type { RequestSummary } from './record';

/** What a request-log route answers: JSON at once, or a follow (backlog, then live matches). */
export type LogAnswer =
  | { kind: 'json'; status: number; body: unknown }
  | { kind: 'follow'; backlog: RequestSummary[]; filter: RequestFilter };

export const DEFAULT_LIST_LIMIT = 100;
export const DEFAULT_FOLLOW_BACKLOG = 10;

const badRequest = (message: string) => new PortholeApiError(400, 'bad_request', message);

/** Whether `path` is one of the request log's read routes (what port 0 answers). */
export function isLogPath(path: string): boolean {
  return path === '/v1/requests' || /^\/v1\/requests\/[^/]+$/.test(path);
}

function whole(value: string, what: string, min: number): number {
  if (!/^[0-9]{1,15}$/.test(value) || Number(value) < min) throw badRequest(`${what} must be a whole number ≥ ${min}`);
  return Number(value);
}

/** `5xx` → 500–599, `404` → 404–404; `error` sets `failed`. */
function statusFilter(value: string, filter: RequestFilter): void {
  if (value === 'error') {
    filter.failed = true;
    return;
  }
  const klass = /^([1-5])xx$/i.exec(value);
  if (klass) {
    const base = Number(klass[1]) * 100;
    filter.status = { min: base, max: base + 99 };
    return;
  }
  if (!/^[1-5][0-9]{2}$/.test(value)) throw badRequest('status must be a class like 5xx, a status like 404, or error');
  filter.status = { min: Number(value), max: Number(value) };
}

/** The filter a query string asks for; a 400 PortholeApiError naming the bad parameter. */
export function parseFilter(query: URLSearchParams): RequestFilter {
  const filter: RequestFilter = {};
  const port = query.get('port');
  if (port !== null) {
    const number = Number(port);
    if (!/^[0-9]{1,5}$/.test(port) || !isPort(number)) throw badRequest('port must be 1-65535');
    filter.port = number;
  }
  const status = query.get('status');
  if (status !== null) statusFilter(status, filter);
  const method = query.get('method');
  if (method !== null) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}$/.test(method)) throw badRequest('method must be an HTTP method');
    filter.method = method.toUpperCase();
  }
  const path = query.get('path');
  if (path !== null) {
    if (!path.startsWith('/')) throw badRequest('path must start with "/"');
    filter.path = path;
  }
  const viewer = query.get('viewer');
  if (viewer !== null) {
    const kinds: readonly string[] = [...VIEWER_KINDS, 'replay'];
    if (!kinds.includes(viewer)) throw badRequest(`viewer must be one of ${kinds.join(', ')}`);
    filter.viewer = viewer as RequestFilter['viewer'];
  }
  const after = query.get('after');
  if (after !== null) filter.after = whole(after, 'after', 0);
  return filter;
}

/**
 * Answer a GET of a request-log route (`url`'s path and query), or throw a PortholeApiError: 400 for a
 * bad query, 404 `request_not_found` / `not_found`, 503 `request_log_off` when the log is off.
 */
export function answerLog(log: RequestLog, url: URL): LogAnswer {
  if (!isLogPath(url.pathname)) throw new PortholeApiError(404, 'not_found', `no request log route ${url.pathname}`);
  if (!log.enabled) {
    throw new PortholeApiError(
      503,
      'request_log_off',
      'the request log is off (this client runs with --request-log 0)',
    );
  }
  const item = /^\/v1\/requests\/([^/]+)$/.exec(url.pathname);
  if (item) {
    const id = whole(item[1] as string, 'the request id', 1);
    const record = log.get(id);
    if (!record)
      throw new PortholeApiError(
        404,
        'request_not_found',
        `request ${id} is not in the log (it may have left the ring)`,
      );
    return { kind: 'json', status: 200, body: record };
  }
  const filter = parseFilter(url.searchParams);
  const follow = url.searchParams.get('follow');
  const limitText = url.searchParams.get('limit');
  if (follow !== null && follow !== '1' && follow !== 'true') throw badRequest('follow must be 1 or true');
  const limit =
    limitText === null
      ? follow !== null
        ? DEFAULT_FOLLOW_BACKLOG
        : DEFAULT_LIST_LIMIT
      : Math.min(whole(limitText, 'limit', 0), log.capacity);
  const backlog = log.list(filter, limit);
  return follow !== null ? { kind: 'follow', backlog, filter } : { kind: 'json', status: 200, body: backlog };
}
