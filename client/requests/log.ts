/**
 * The request log (README, "Request log"): every stream the client serves,
 * newest last, in memory only, in a ring bounded both by a count of requests
 * (`capacity`) and by the bytes it keeps (`maxBytes`: headers and the first
 * `bodyBytes` of each body); the oldest requests leave first. Subscribers hear
 * of each request when its response head comes and when it ends.
 */
import type { OpenRequest } from '../../protocol';
import { LogEntry } from './entry';
import type { RequestRecord, RequestSummary } from './record';

export interface RequestLogOptions {
  /** Requests kept at most (default 1000); 0 turns the log off (begin() records nothing). */
  capacity?: number;
  /** Bytes of each request and response body kept (default 64 KiB); the rest is only counted. */
  bodyBytes?: number;
  /** Bytes the whole log keeps at most, headers and bodies (default 32 MiB). */
  maxBytes?: number;
  /** Milliseconds, monotonic (default performance.now). */
  clock?: () => number;
}

export const DEFAULT_CAPACITY = 1000;
export const DEFAULT_BODY_BYTES = 64 * 1024;
export const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

/** Which requests a list or a follow wants; every field optional (all of them match). */
export interface RequestFilter {
  port?: number;
  /** Inclusive status range, e.g. 500–599 for `5xx`. */
  status?: { min: number; max: number };
  /** Only requests Porthole answered or that ended early (`error` set). */
  failed?: boolean;
  /** Upper-case method, e.g. `POST`. */
  method?: string;
  /** Path prefix, e.g. `/api/`. */
  path?: string;
  viewer?: RequestSummary['viewer']['kind'];
  /** Only requests with a greater id. */
  after?: number;
}

/** Receives a request's summary when its head came (state `open`) and when it ended. Must not throw. */
export type RequestListener = (summary: RequestSummary) => void;

export function matches(summary: RequestSummary, filter: RequestFilter): boolean {
  if (filter.port !== undefined && summary.port !== filter.port) return false;
  if (filter.method !== undefined && summary.method !== filter.method) return false;
  if (filter.path !== undefined && !summary.path.startsWith(filter.path)) return false;
  if (filter.viewer !== undefined && summary.viewer.kind !== filter.viewer) return false;
  if (filter.after !== undefined && summary.id <= filter.after) return false;
  if (filter.failed && !summary.error) return false;
  if (filter.status) {
    if (summary.status === null || summary.status < filter.status.min || summary.status > filter.status.max) {
      return false;
    }
  }
  return true;
}

export class RequestLog {
  readonly capacity: number;
  readonly bodyBytes: number;
  readonly maxBytes: number;
  readonly #clock: () => number;
  /** By id, oldest first (a Map keeps insertion order). */
  readonly #entries = new Map<number, LogEntry>();
  readonly #listeners = new Set<RequestListener>();
  readonly #finished = new Set<(entry: LogEntry) => void>();
  #nextId = 1;
  #bytes = 0;

  constructor(options: RequestLogOptions = {}) {
    this.capacity = options.capacity ?? DEFAULT_CAPACITY;
    this.bodyBytes = options.bodyBytes ?? DEFAULT_BODY_BYTES;
    this.maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
    this.#clock = options.clock ?? (() => performance.now());
  }

  get enabled(): boolean {
    return this.capacity > 0;
  }

  /** Requests kept now. */
  get size(): number {
    return this.#entries.size;
  }

  /** Bytes kept now (what maxBytes bounds). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Start recording a request the gateway opened (or a replay of request `replayOf`); null when the log is off. */
  begin(open: OpenRequest, replayOf?: number): LogEntry | null {
    if (!this.enabled) return null;
    const entry = new LogEntry(this.#nextId++, open, {
      bodyBytes: this.bodyBytes,
      clock: this.#clock,
      replayOf,
      onChange: (changed, change, bytes) => this.#changed(changed, change, bytes),
    });
    this.#entries.set(entry.id, entry);
    this.#bytes += entry.size;
    this.#evict();
    return entry;
  }

  /** Matching requests' summaries, oldest first, at most the `limit` newest (default all). */
  list(filter: RequestFilter = {}, limit = Number.POSITIVE_INFINITY): RequestSummary[] {
    const found: RequestSummary[] = [];
    // Newest first, so a limit stops early; reversed at the end.
    const entries = [...this.#entries.values()];
    for (let i = entries.length - 1; i >= 0 && found.length < limit; i--) {
      const summary = (entries[i] as LogEntry).summary();
      if (matches(summary, filter)) found.push(summary);
    }
    return found.reverse();
  }

  /** A request in full, or undefined when it is not (or no longer) in the log. */
  get(id: number): RequestRecord | undefined {
    return this.#entries.get(id)?.record();
  }

  /** The entry itself (a replay reads its original request), or undefined. */
  entry(id: number): LogEntry | undefined {
    return this.#entries.get(id);
  }

  /** Hear of every request as it changes (see RequestListener). Returns the unsubscribe. */
  subscribe(listener: RequestListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Hear of every request as it ends, with its entry: still whole even when the ring already let it
   * go (a long WebSocket under many short requests). Must not throw. Returns the unsubscribe.
   */
  onFinished(listener: (entry: LogEntry) => void): () => void {
    this.#finished.add(listener);
    return () => this.#finished.delete(listener);
  }

  #changed(entry: LogEntry, change: 'grow' | 'head' | 'end', bytes: number): void {
    if (change === 'grow') {
      // An entry already evicted no longer counts.
      if (this.#entries.get(entry.id) !== entry) return;
      this.#bytes += bytes;
      this.#evict();
      return;
    }
    if (change === 'end') for (const listener of [...this.#finished]) listener(entry);
    if (this.#listeners.size === 0) return;
    const summary = entry.summary();
    for (const listener of [...this.#listeners]) listener(summary);
  }

  /** Oldest first out, until within both bounds (the newest request stays, whatever its size). */
  #evict(): void {
    for (const [id, entry] of this.#entries) {
      if (this.#entries.size <= this.capacity && this.#bytes <= this.maxBytes) return;
      if (this.#entries.size === 1) return;
      this.#entries.delete(id);
      this.#bytes -= entry.size;
      // A request still in flight would go on copying its bodies outside the bound.
      entry.release();
    }
  }
}
