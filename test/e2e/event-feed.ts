/**
 * A test reader of a session's event feed (`GET /api/sessions/<id>/events`, docs/events.md): the
 * events as they arrive, parsed, and a wait for the next one that matches.
 */
import http from 'node:http';
import type { SessionEvent } from '../../protocol';
import { afterTest, DOMAIN, type Harness, waitFor } from './harness';

/** One event as the feed sent it: its `id:`, its `event:` name and its `data:` object. */
export type FeedEvent = { id: number } & SessionEvent;

export interface FeedReader {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Events so far, in order (a refusal's body is in `body` instead). */
  events: FeedEvent[];
  /** Keepalive comments so far. */
  comments: number;
  /** The raw body so far. */
  body: string;
  ended: boolean;
  /** The first event at index `from` or later of `type` matching `match`, waited for. */
  next<T extends SessionEvent['type']>(
    type: T,
    from?: number,
    match?: (e: Extract<FeedEvent, { type: T }>) => boolean,
  ): Promise<Extract<FeedEvent, { type: T }>>;
  /** Stop reading: the connection is closed. */
  close(): void;
  /** Stop taking data off the socket (a slow reader). */
  pause(): void;
  /** Take data off the socket again. */
  resume(): void;
}

/** Open the feed of `session` with `token` (none: no Authorization), resolved once the answer's head is in. */
export function openFeed(h: Harness, session: string, token: string | null): Promise<FeedReader> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port: h.gateway.port,
      path: `/api/sessions/${session}/events`,
      headers: { host: `${DOMAIN}:${h.gateway.port}`, ...(token ? { authorization: `Bearer ${token}` } : {}) },
      agent: false,
    });
    afterTest(() => req.destroy());
    req.on('error', reject);
    req.on('response', (res) => {
      let pending = '';
      const reader: FeedReader = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        events: [],
        comments: 0,
        body: '',
        ended: false,
        next: async (type, from = 0, match = () => true) =>
          waitFor(
            () =>
              reader.events
                .slice(from)
                .find((e): e is Extract<FeedEvent, { type: typeof type }> => e.type === type && match(e as never)),
            `event ${type} (from #${from}); events: ${JSON.stringify(reader.events)}`,
            20_000,
          ),
        close: () => req.destroy(),
        pause: () => res.pause(),
        resume: () => res.resume(),
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        reader.body += chunk;
        pending += chunk;
        let end: number;
        while ((end = pending.indexOf('\n\n')) >= 0) {
          const block = pending.slice(0, end);
          pending = pending.slice(end + 2);
          parse(block, reader);
        }
      });
      res.on('end', () => (reader.ended = true));
      res.on('error', () => (reader.ended = true));
      res.on('close', () => (reader.ended = true));
      resolve(reader);
    });
    req.end();
  });
}

function parse(block: string, reader: FeedReader): void {
  if (block.startsWith(':')) {
    reader.comments += 1;
    return;
  }
  const fields = new Map<string, string>();
  for (const line of block.split('\n')) {
    const at = line.indexOf(': ');
    if (at > 0) fields.set(line.slice(0, at), line.slice(at + 2));
  }
  const type = fields.get('event');
  const data = fields.get('data');
  if (type === undefined || data === undefined) return;
  reader.events.push({ id: Number(fields.get('id')), type, data: JSON.parse(data) } as FeedEvent);
}
