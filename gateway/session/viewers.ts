/**
 * Admission to a session's streams, fair per viewer. The session holds at most
 * MAX_STREAMS streams, and one viewer (one client address, viewer-key.ts) at
 * most its share, VIEWER_MAX_STREAMS, while the session is busy or shared: a
 * lone viewer (an owner's browser loading a dev server's hundreds of unbundled
 * modules over HTTP/2) may use up to half of an otherwise idle session, while
 * a flood always leaves the other half to everyone else. Once another viewer
 * holds a stream or asked for one in the last second or two, each viewer is
 * held to its share (the rest of its requests wait): the streams are what the
 * session can run at once, and the other viewers' requests wait behind every
 * one of them in the runtime, the client and the origin.
 *
 * A request that cannot have a stream now waits for one (fair-queue.ts): at
 * most QUEUE_LENGTH requests per session and VIEWER_QUEUE_LENGTH per viewer,
 * each for at most QUEUE_TIMEOUT. When a stream frees, the waiting viewer
 * holding the fewest streams goes next. Only a request with no room to wait,
 * or whose wait expired, is refused: 429 `viewer_stream_limit` when its
 * viewer's share is what stops it, else 503 `too_many_streams`. A viewer that
 * leaves while waiting leaves the queue at once.
 *
 * A stream counts from admission to done, HTTP and WebSocket alike: a
 * response body still flowing, a quiet server-sent-event feed, an open
 * WebSocket; one whose viewer left before it was done counts against that
 * viewer (not the session) for LEFT_HOLD_MS more.
 */
import { type MuxStream, type OpenRequest, ResetCode } from '../../protocol';
import { type QueueOutcome, tooManyStreams, tooManyViewerStreams, viewerGone } from '../errors';
import { Deadlines } from './deadlines';
import { FairQueue, type Waiting } from './fair-queue';
import { Admitted, type Slot, type StreamOpener } from './stream-slot';
import { viewerNetwork } from './viewer-key';
import { ViewerCounts } from './viewer-counts';

export type { Slot, StreamOpener } from './stream-slot';
export { NETWORK_SHARES, UNKNOWN_VIEWER, viewerKey, viewerNetwork } from './viewer-key';

/** The waiting room's bounds (the config's QUEUE_LENGTH, VIEWER_QUEUE_LENGTH and QUEUE_TIMEOUT). */
export interface QueueLimits {
  /** Requests that may wait per session; 0: a request that cannot have a stream now is refused at once. */
  length: number;
  /** Requests one viewer may have waiting. */
  viewerLength: number;
  /** Milliseconds one request may wait. */
  waitMs: number;
}

/**
 * Milliseconds a stream whose viewer left before it was done still counts against that viewer's share
 * after it is reset (the origin's request is cancelled, and the session's place freed, at once):
 * abandoning streams as soon as their heads arrive is then no faster a way through the share than
 * holding them, so a viewer cannot turn its share into a flood of requests that the other viewers
 * wait behind (measured: an honest viewer's p50 went from 120× to 1.3× of alone, bench/streams.ts).
 */
export const LEFT_HOLD_MS = 1_000;

const NO_QUEUE: QueueLimits = { length: 0, viewerLength: 0, waitMs: 0 };

/** Who may wait for a stream, and how. */
export interface AdmitOptions {
  /** The Worker's request id (routing/route.ts), for left(). */
  requestId?: string;
  /** Aborts when the viewer goes away. */
  signal?: AbortSignal;
}

interface Waiter extends Waiting {
  readonly requestId: string | undefined;
  readonly since: number;
  readonly grant: (slot: Slot) => void;
  readonly refuse: (error: unknown) => void;
}

export class ViewerStreams {
  readonly #counts = new ViewerCounts();
  /** Admitted requests by the Worker's request id, from admission until done. */
  readonly #slots = new Map<string, Admitted>();
  readonly #waiters = new Map<string, Waiter>();
  readonly #queue = new FairQueue<Waiter>();
  readonly #limit: () => number;
  readonly #sessionLimit: () => number;
  readonly #queueLimits: () => QueueLimits;
  readonly #deadlines: Deadlines<object>;
  /** Streams held by all viewers together (admitted, opened or not yet). */
  #total = 0;

  /**
   * @param limit the streams one viewer may hold while the session is busy (VIEWER_MAX_STREAMS, ≥ 1), read on every admission.
   * @param sessionLimit the session's streams (MAX_STREAMS): the share applies once half of them are in use.
   * @param queue how many may wait for a stream, and how long (default: none wait).
   * @param deadlines where waits expire.
   */
  constructor(
    limit: () => number,
    sessionLimit: () => number,
    queue: () => QueueLimits = () => NO_QUEUE,
    deadlines: Deadlines<object> = new Deadlines(),
  ) {
    this.#limit = limit;
    this.#sessionLimit = sessionLimit;
    this.#queueLimits = queue;
    this.#deadlines = deadlines;
  }

  /**
   * A stream for the viewer `key`: at once if it may have one now and none of its requests wait,
   * else once one frees and the queue's turn is its. Throws (or rejects with) 429
   * `viewer_stream_limit` or 503 `too_many_streams` when there is no room to wait or the wait
   * expired, and 503 `viewer_left` when the viewer went away while waiting.
   */
  admit(key: string, options: AdmitOptions = {}): Slot | Promise<Slot> {
    this.#counts.seen(key);
    if (this.#queue.waiting(key) === 0 && this.#may(key)) return this.#grant(key, options.requestId);
    if (options.signal?.aborted) throw viewerGone();
    const limits = this.#queueLimits();
    if (limits.length === 0) throw this.#refusal(key);
    const waiting = this.#queue.waiting(key);
    if (waiting >= limits.viewerLength) throw this.#refusal(key, { full: 'VIEWER_QUEUE_LENGTH', length: waiting });
    if (this.#queue.size >= limits.length) {
      const evicted = this.#queue.evictFor(key, (k) => viewerNetwork(k) ?? k);
      if (!evicted) throw this.#refusal(key, { full: 'QUEUE_LENGTH', length: this.#queue.size });
      this.#settle(evicted);
      evicted.refuse(this.#refusal(evicted.key, { full: 'QUEUE_LENGTH', length: limits.length }));
    }
    return new Promise<Slot>((resolve, reject) => {
      const { requestId, signal } = options;
      const gone = () => {
        if (!this.#queue.remove(waiter)) return;
        this.#settle(waiter);
        reject(viewerGone());
      };
      const waiter: Waiter = {
        key,
        requestId,
        since: Date.now(),
        grant: (slot) => {
          signal?.removeEventListener('abort', gone);
          resolve(slot);
        },
        refuse: (error) => {
          signal?.removeEventListener('abort', gone);
          reject(error);
        },
      };
      this.#queue.push(waiter);
      if (requestId !== undefined) this.#waiters.set(requestId, waiter);
      signal?.addEventListener('abort', gone, { once: true });
      this.#deadlines.add(waiter, limits.waitMs, () => {
        if (!this.#queue.remove(waiter)) return;
        this.#settle(waiter);
        waiter.refuse(this.#refusal(key, { waitedMs: Date.now() - waiter.since }));
      });
    });
  }

  /**
   * What the viewer `key` may open streams through now, without waiting: `mux`, counted against its
   * share; each stream opened is also known by `requestId` (when given), for left().
   */
  opener(key: string, mux: StreamOpener, requestId?: string): StreamOpener {
    return { open: (request) => this.#openNow(key, mux, request, requestId) };
  }

  /** Open a stream for the viewer `key` through `mux` now, or throw as admit() does without a queue. */
  open(key: string, mux: StreamOpener, request: OpenRequest): MuxStream {
    return this.#openNow(key, mux, request);
  }

  #openNow(key: string, mux: StreamOpener, request: OpenRequest, requestId?: string): MuxStream {
    this.#counts.seen(key);
    if (!this.#may(key)) throw this.#refusal(key);
    const slot = this.#grant(key, requestId);
    try {
      return slot.opener(mux).open(request);
    } finally {
      slot.release();
    }
  }

  /**
   * Open a stream that is no viewer's (the owner's request-log reads, request-log.ts): it counts
   * against MAX_STREAMS like any stream, but against no viewer's share, and never waits in the queue.
   * Throws 503 `too_many_streams` when the session holds MAX_STREAMS streams.
   */
  openUnshared(mux: StreamOpener, request: OpenRequest): MuxStream {
    if (this.#total >= this.#sessionLimit()) throw tooManyStreams(this.#sessionLimit());
    this.#total++;
    const slot = new Admitted('', undefined, () => {
      this.#total--;
      this.#pump();
    });
    try {
      return slot.opener(mux).open(request);
    } finally {
      slot.release();
    }
  }

  /**
   * The viewer of `requestId` went away (the Worker saw its disconnect): it leaves the queue if it
   * waits; its stream, if open, is reset with CANCEL, which frees it and cancels the origin's
   * request; admitted but not yet opened, it will not open. False if none of these.
   */
  left(requestId: string): boolean {
    const waiter = this.#waiters.get(requestId);
    if (waiter && this.#queue.remove(waiter)) {
      this.#settle(waiter);
      waiter.refuse(viewerGone());
      return true;
    }
    const slot = this.#slots.get(requestId);
    if (!slot) return false;
    this.#slots.delete(requestId);
    slot.left = true;
    slot.stream?.reset(ResetCode.CANCEL, 'the viewer went away');
    return true;
  }

  /** Streams the viewer `key` holds now. */
  held(key: string): number {
    return this.#counts.held(key);
  }

  /** Requests waiting for a stream now. */
  get waiting(): number {
    return this.#queue.size;
  }

  /** How many viewers hold a stream now (every key with a count above 0 is kept, none other; networks aside). */
  get viewers(): number {
    return this.#counts.viewers;
  }

  /** Whether the viewer `key` may have a stream now: the session is under MAX_STREAMS and its share does not bind. */
  #may(key: string): boolean {
    return this.#total < this.#sessionLimit() && !this.#shareBinds(key);
  }

  /** Whether `key` is over its share while the share applies: the session is half busy, or shared (viewer-counts.ts). */
  #shareBinds(key: string): boolean {
    if (!this.#counts.overShare(key, this.#limit())) return false;
    return this.#total >= Math.ceil(this.#sessionLimit() / 2) || this.#counts.shared(key);
  }

  /** The answer for a request of `key` that gets no stream: its share binds (429), or the session is full (503). */
  #refusal(key: string, outcome?: QueueOutcome) {
    if (this.#shareBinds(key)) return tooManyViewerStreams(this.#limit(), outcome);
    return tooManyStreams(this.#sessionLimit(), outcome);
  }

  #grant(key: string, requestId: string | undefined): Admitted {
    this.#counts.count(key, 1);
    this.#total++;
    const slot = new Admitted(key, requestId, (s) => this.#free(s));
    if (requestId !== undefined) this.#slots.set(requestId, slot);
    return slot;
  }

  /** A waiter leaves the room's indexes (it was admitted, refused, or left). */
  #settle(waiter: Waiter): void {
    this.#deadlines.delete(waiter);
    if (waiter.requestId !== undefined && this.#waiters.get(waiter.requestId) === waiter) {
      this.#waiters.delete(waiter.requestId);
    }
  }

  #free(slot: Admitted): void {
    this.#total--;
    // Abandoned: its place goes back to the session now, but to its viewer only after LEFT_HOLD_MS.
    if (slot.left && slot.stream !== null) this.#deadlines.add(slot, LEFT_HOLD_MS, () => this.#forget(slot));
    else this.#counts.count(slot.key, -1);
    if (slot.requestId !== undefined && this.#slots.get(slot.requestId) === slot) this.#slots.delete(slot.requestId);
    this.#pump();
  }

  /** An abandoned stream's hold on its viewer's share ends. */
  #forget(slot: Admitted): void {
    this.#counts.count(slot.key, -1);
    this.#pump();
  }

  /** Streams freed: admit waiters, fairest first, while any may go. */
  #pump(): void {
    while (this.#queue.size > 0) {
      const waiter = this.#queue.next(
        (key) => this.#may(key),
        (key) => this.held(key),
      );
      if (!waiter) return;
      this.#settle(waiter);
      waiter.grant(this.#grant(waiter.key, waiter.requestId));
    }
  }
}
