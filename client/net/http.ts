/**
 * JSON over HTTP for the client's three APIs: the gateway's admin and owner
 * APIs (http or https, with `*.localhost` resolved to loopback) and a running
 * client's control socket (HTTP over a unix socket). One error shape for all
 * three, the body the gateway sends: `{ error, status, message }`.
 */
import http from 'node:http';
import https from 'node:https';
import { StringDecoder } from 'node:string_decoder';
import { lookup } from './lookup';

/** Bytes of one answer read at most (the gateway's largest, a full port table, is well under 1 MiB): more is `bad_answer`. */
export const MAX_ANSWER_BYTES = 16 * 1024 * 1024;

/** The JSON body of a refusal, as the gateway and the control socket send it. */
export interface ApiErrorBody {
  /** Stable, machine-readable code, e.g. `unauthorized`, `port_not_listening`. */
  error: string;
  /** The HTTP status. */
  status: number;
  /** Human-readable: what went wrong and what to do. */
  message: string;
}

/** A JSON API answered with a status outside 200–299, or with something that is not JSON. */
export class PortholeApiError extends Error {
  override readonly name = 'PortholeApiError';
  constructor(
    readonly status: number,
    /** The body's `error`: a stable code. */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /** The error as an API answers it. */
  toJSON(): ApiErrorBody {
    return { error: this.code, status: this.status, message: this.message };
  }

  /** From an answer's status and (parsed) body; `error` defaults to `error`, `message` to the status. */
  static from(status: number, body: unknown): PortholeApiError {
    const fields = (typeof body === 'object' && body !== null ? body : {}) as Partial<ApiErrorBody>;
    return new PortholeApiError(
      status,
      typeof fields.error === 'string' ? fields.error : 'error',
      typeof fields.message === 'string' ? fields.message : `the server answered ${status}`,
    );
  }
}

export interface JsonRequest {
  method: string;
  /** An http: or https: URL; with `socketPath`, only its path and query are used. */
  url: URL;
  /** HTTP over this unix socket instead of TCP (the control API). */
  socketPath?: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** More request headers (after accept and authorization, which they may replace). */
  headers?: Record<string, string>;
  /** Sent as JSON (`content-type: application/json`); omitted: no body. */
  body?: unknown;
  /** Milliseconds the whole answer may take (default: no limit). */
  timeoutMs?: number;
}

/**
 * One JSON call. Resolves with the parsed answer for a 2xx status; rejects
 * with a PortholeApiError for any other status (and for a 2xx answer that is not
 * JSON, as status 502 `bad_answer`), and with the socket's own error
 * (ECONNREFUSED, ENOENT, a timeout …) when the server cannot be reached.
 */
export function requestJson<T>(request: JsonRequest): Promise<T> {
  const { url, socketPath, token, timeoutMs } = request;
  const payload = request.body === undefined ? undefined : JSON.stringify(request.body);
  const lib = url.protocol === 'https:' ? https : http;
  const options: http.RequestOptions = {
    method: request.method,
    ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }),
    headers: {
      accept: 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      ...request.headers,
    },
  };
  const decoder = new StringDecoder('utf8');
  return new Promise((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage) => {
      let text = '';
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.byteLength;
        if (bytes > MAX_ANSWER_BYTES) {
          reject(new PortholeApiError(502, 'bad_answer', `the answer is larger than ${MAX_ANSWER_BYTES} bytes`));
          req.destroy();
          return;
        }
        text += decoder.write(chunk);
      });
      res.on('error', reject);
      res.on('end', () => {
        text += decoder.end();
        const status = res.statusCode ?? 0;
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        if (status < 200 || status >= 300)
          reject(PortholeApiError.from(status, parsed ?? (text ? { message: text.slice(0, 300) } : undefined)));
        else if (parsed === undefined)
          reject(new PortholeApiError(502, 'bad_answer', `expected JSON, got: ${text.slice(0, 200)}`));
        else resolve(parsed as T);
      });
    };
    const req = socketPath
      ? http.request({ ...options, socketPath, path: `${url.pathname}${url.search}` }, onResponse)
      : lib.request(url, { ...options, lookup }, onResponse);
    // `timeout` above is the socket's idle time; this bounds the whole answer, however it trickles.
    const deadline =
      timeoutMs === undefined
        ? undefined
        : setTimeout(() => req.destroy(new Error(`no whole answer within ${timeoutMs / 1000} s`)), timeoutMs);
    req.on('close', () => clearTimeout(deadline));
    req.on('timeout', () => req.destroy(new Error(`no answer within ${(timeoutMs ?? 0) / 1000} s`)));
    req.on('error', reject);
    req.end(payload);
  });
}
