/**
 * A session's event feed (`GET /api/sessions/<id>/events`, docs/events.md) as an async iterable of
 * typed events, parsed from the server-sent event stream with `eventsource-parser`.
 *
 * One feed is one connection: iteration ends when the gateway ends the stream (after
 * `session.ended`, `feed.expired` or `feed.overflow`, or when the connection drops) or when
 * `signal` aborts. Reconnecting is the caller's business: open a new feed, whose first event is a
 * fresh `snapshot`. `Last-Event-ID` is not sent: the feed does not replay what a reader missed,
 * and ids start again on each feed.
 */
import http from 'node:http';
import https from 'node:https';
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import {
  SESSION_EVENT_TYPES,
  type SessionEvent,
  type SessionEventData,
  type SessionEventType,
} from '../../protocol/api';
import { PortholeApiError } from '../net/http';
import { lookup } from '../net/lookup';
import { unreachable } from './call';

/** One event: `type` (the SSE event name), `data` (narrowed by `type`), and `id`, increasing within one feed. */
export type PortholeEvent = SessionEvent & { id: number };

/** The event names of the feed. */
export type PortholeEventType = SessionEventType;

/** The `data` of the event named `T`. */
export type PortholeEventData<T extends PortholeEventType> = SessionEventData<T>;

/** The names this SDK knows; others (a later gateway's) are skipped. */
const KNOWN = new Set<string>(SESSION_EVENT_TYPES);

/** Characters the parser may hold of one unfinished event: more is not the gateway's feed. */
const MAX_EVENT_CHARS = 1 << 20;
/** Milliseconds without a byte (the feed sends a keepalive every 25 s) before the connection counts as dead. */
const IDLE_TIMEOUT_MS = 60_000;
/** Bytes of a refusal's body read for its JSON error. */
const MAX_REFUSAL_BYTES = 64 * 1024;

/** Options of `events()`. */
export interface EventsOptions {
  /** Aborting it closes the feed: iteration ends (no error). */
  signal?: AbortSignal;
}

/** A known, well-formed message as a PortholeEvent; null for an event this SDK does not know. */
function eventOf(message: EventSourceMessage): PortholeEvent | null {
  if (message.event === undefined || !KNOWN.has(message.event)) return null;
  let data: unknown;
  try {
    data = JSON.parse(message.data);
  } catch {
    throw new PortholeApiError(502, 'bad_answer', `event ${message.event}: data is not JSON`);
  }
  if (typeof data !== 'object' || data === null) {
    throw new PortholeApiError(502, 'bad_answer', `event ${message.event}: data is not a JSON object`);
  }
  return { type: message.event, id: Number(message.id), data } as PortholeEvent;
}

/** The GET, resolved with the 200 answer; a refusal rejects with its PortholeApiError. */
function open(url: URL, token: string, signal: AbortSignal | undefined): Promise<http.IncomingMessage> {
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, {
      lookup,
      signal,
      headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` },
    });
    req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(new Error(`no data for ${IDLE_TIMEOUT_MS / 1000} s`)));
    req.on('error', (error) => reject(signal?.aborted ? signal.reason : unreachable(url, error)));
    req.on('response', (res) => {
      const type = res.headers['content-type'] ?? '';
      if (res.statusCode === 200 && type.startsWith('text/event-stream')) return resolve(res);
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (text.length < MAX_REFUSAL_BYTES) text += chunk;
        else res.destroy();
      });
      const refuse = () => {
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = { message: `expected an event stream, got ${res.statusCode} ${type}` };
        }
        const status = res.statusCode === 200 ? 502 : (res.statusCode ?? 502);
        reject(
          PortholeApiError.from(status, res.statusCode === 200 ? { ...(body as object), error: 'bad_answer' } : body),
        );
      };
      res.on('end', refuse);
      res.on('close', refuse);
    });
    req.end();
  });
}

/**
 * The feed at `url` opened with `token`: an async iterable of PortholeEvent. The first `next()`
 * rejects with the gateway's refusal (401, 403, 404, 410 `session_ended`, 429 `too_many_feeds`) or 502
 * `gateway_unreachable`; a connection that breaks mid-feed ends the iteration quietly, like the
 * gateway ending it (the last event says why, when the gateway said). Breaking out of a `for await`
 * closes the connection.
 */
export async function* eventFeed(url: URL, token: string, options: EventsOptions = {}): AsyncGenerator<PortholeEvent> {
  const { signal } = options;
  if (signal?.aborted) return;
  let res: http.IncomingMessage;
  try {
    res = await open(url, token, signal);
  } catch (error) {
    if (signal?.aborted) return;
    throw error;
  }
  const ready: PortholeEvent[] = [];
  let problem: Error | null = null;
  const parser = createParser({
    maxBufferSize: MAX_EVENT_CHARS,
    onEvent: (message) => {
      try {
        const event = eventOf(message);
        if (event) ready.push(event);
      } catch (error) {
        problem ??= error as Error;
      }
    },
    onError: (error) => {
      if (error.type === 'max-buffer-size-exceeded') problem ??= new PortholeApiError(502, 'bad_answer', error.message);
    },
  });
  res.setEncoding('utf8');
  try {
    for await (const chunk of res) {
      parser.feed(chunk as string);
      while (ready.length > 0) yield ready.shift() as PortholeEvent;
      if (problem) throw problem;
    }
  } catch (error) {
    // Aborted, or the connection broke: the feed is over either way (the caller reconnects if it wants).
    if (error === problem) throw error;
  } finally {
    res.destroy();
  }
}
