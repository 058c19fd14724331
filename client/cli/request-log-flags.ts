/**
 * The request log's flags on `porthole connect` and `porthole dev` (README,
 * "Request log"): `--request-log <n>` requests kept (default 1000, 0 = off),
 * `--request-body <size>` bytes of each body kept (default 64 KiB, at most
 * 16 MiB) and `--request-log-file <path>` (each finished request appended as
 * an NDJSON line; nothing is written to disk without it).
 */
import { DEFAULT_BODY_BYTES, DEFAULT_CAPACITY, type RequestLogOptions } from '../requests/log';

/** Most requests `--request-log` may keep (the log's byte bound, 32 MiB, usually binds first). */
export const MAX_REQUEST_LOG = 100_000;
/** Most bytes of each body `--request-body` may keep: 16 MiB. */
export const MAX_REQUEST_BODY = 16 * 1024 * 1024;

const UNITS: Record<string, number> = { '': 1, b: 1, kib: 1024, mib: 1024 * 1024 };

/**
 * A size in bytes: `16384`, `16KiB`, `1MiB` (units B, KiB, MiB, any case; a space before the unit
 * allowed). Null when it is not one.
 */
export function parseSize(text: string): number | null {
  const match = /^([0-9]{1,12})\s*([a-z]*)$/i.exec(text.trim());
  if (!match) return null;
  const unit = UNITS[(match[2] as string).toLowerCase()];
  return unit === undefined ? null : Number(match[1]) * unit;
}

export interface RequestLogValues {
  'request-log'?: string;
  'request-body'?: string;
  'request-log-file'?: string;
}

export interface RequestLogFlags {
  requestLog: RequestLogOptions;
  /** Undefined: nothing is written to disk. */
  requestLogFile: string | undefined;
}

/** The flags' values, each problem pushed onto `problems` (nothing thrown). */
export function requestLogFlags(values: RequestLogValues, problems: string[]): RequestLogFlags {
  let capacity = DEFAULT_CAPACITY;
  const count = values['request-log'];
  if (count !== undefined) {
    if (/^[0-9]{1,7}$/.test(count.trim()) && Number(count) <= MAX_REQUEST_LOG) capacity = Number(count);
    else
      problems.push(
        `--request-log: '${count}' is not a number of requests (0-${MAX_REQUEST_LOG}; 0 turns the log off)`,
      );
  }
  let bodyBytes = DEFAULT_BODY_BYTES;
  const body = values['request-body'];
  if (body !== undefined) {
    const size = parseSize(body);
    if (size === null) problems.push(`--request-body: '${body}' is not a size (e.g. 16384, 16KiB, 1MiB)`);
    else if (size > MAX_REQUEST_BODY) problems.push(`--request-body: '${body}' is over 16MiB, the most it may keep`);
    else bodyBytes = size;
  }
  const file = values['request-log-file'];
  if (file !== undefined && file.trim() === '') problems.push('--request-log-file: the path is empty');
  return { requestLog: { capacity, bodyBytes }, requestLogFile: file || undefined };
}
