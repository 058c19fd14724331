/**
 * Helpers of the request-log API tests: fill a real client's log as its taps would, read the owner
 * API's `/requests` routes through the gateway, and follow one (NDJSON) as a stream.
 */
import http from 'node:http';
import type { Agent } from '../../client/agent';
import type { OpenViewer } from '../../protocol';
import { afterTest, type Harness, request, waitFor } from './harness';

/** Record one finished request in `agent`'s log, as the taps would; its id. */
export function record(
  agent: Agent,
  init: {
    port: number;
    path: string;
    status: number;
    body?: string;
    headers?: [string, string][];
    viewer?: OpenViewer;
  },
): number {
  const entry = agent.requests.begin({
    port: init.port,
    method: 'GET',
    path: init.path,
    headers: init.headers ?? [['user-agent', 'test']],
    host: 'preview.localhost',
    hasBody: false,
    upgrade: false,
    viewer: init.viewer ?? { kind: 'public' },
  });
  if (!entry) throw new Error('the request log is off');
  entry.head(init.status, [['content-type', 'text/plain']]);
  if (init.body !== undefined) entry.responseData(Buffer.from(init.body));
  entry.end();
  return entry.id;
}

/** GET an owner-API path of `session` with `token` as Bearer (none: no Authorization). */
export function ownerGet(h: Harness, session: string, path: string, token?: string) {
  return request(h.gateway, `/api/sessions/${session}${path}`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
}

/** The session's streams in flight (the owner API's status). */
export async function streamsOpen(h: Harness, session: string, token: string): Promise<number> {
  const reply = await ownerGet(h, session, '/status', token);
  return (JSON.parse(reply.body.toString()) as { streams: number }).streams;
}

export interface Follow {
  /** The answer's status and headers, once they came. */
  head: Promise<http.IncomingMessage>;
  /** Each NDJSON line so far, parsed. */
  lines: unknown[];
  /** Bytes of body so far. */
  bytes(): number;
  /** Whether the answer ended (or failed). */
  ended(): boolean;
  /** Stop reading (the socket's buffers then fill) or read again. */
  pause(): void;
  resume(): void;
  close(): void;
}

/** A streamed GET of `/requests?…` (a follow, or any answer read as it comes); closed when the test ends. */
export function follow(h: Harness, session: string, token: string, query = 'follow=1'): Follow {
  const url = new URL(`/api/sessions/${session}/requests?${query}`, h.gateway.url);
  const lines: unknown[] = [];
  let bytes = 0;
  let ended = false;
  let rest = '';
  let response: http.IncomingMessage | undefined;
  const req = http.request({
    host: '127.0.0.1',
    port: h.gateway.port,
    path: url.pathname + url.search,
    headers: { host: url.host, authorization: `Bearer ${token}` },
    agent: false,
  });
  const head = new Promise<http.IncomingMessage>((resolve, reject) => {
    req.on('response', (res) => {
      response = res;
      resolve(res);
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > 1024 * 1024) return; // A huge answer is only counted.
        rest += chunk.toString();
        const parts = rest.split('\n');
        rest = parts.pop() ?? '';
        for (const line of parts) if (line.trim()) lines.push(JSON.parse(line));
      });
      res.on('end', () => (ended = true));
      res.on('error', () => (ended = true));
      res.on('close', () => (ended = true));
    });
    req.on('error', (error) => {
      ended = true;
      reject(error);
    });
  });
  void head.catch(() => {});
  req.end();
  const close = () => req.destroy();
  afterTest(close);
  return {
    head,
    lines,
    bytes: () => bytes,
    ended: () => ended,
    pause: () => response?.pause(),
    resume: () => response?.resume(),
    close,
  };
}

/** Waits until `f` has a line whose `id` is `id` (and, given, whose `state` is `state`). */
export function lineOf(f: Follow, id: number, state?: string) {
  return waitFor(
    () =>
      f.lines.find((l) => {
        const line = l as { id: number; state: string };
        return line.id === id && (state === undefined || line.state === state);
      }),
    `follow line of request ${id}${state ? ` (${state})` : ''}`,
  );
}
