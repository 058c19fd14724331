/**
 * A session's event feeds for the operator's backend (`GET /api/sessions/<id>/events`,
 * docs/events.md): server-sent events from the Session object, each with a number (`id:`) increasing
 * within its feed, its name (`event:`) and one JSON object (`data:`), and a `: keepalive` comment
 * every 25 s so proxies keep the stream open. Modelled on the dashboard's feed (feed.ts).
 *
 * Bounded: at most MAX_EVENT_FEEDS open per session for the admin token, and as many for the
 * session's own tokens (session and owner: its VM holds them, so they cannot crowd out its
 * operator); each feed holds at most MAX_QUEUED_BYTES its reader has not taken yet (a client
 * flooding PORTS frames makes events faster than a slow reader reads them): past that it gets a last `feed.overflow` and ends, and, until its reader has taken
 * what was queued or gone, it still counts as open, so stalled feeds cannot pile up. A feed lives no
 * longer than the credential that opened it: at its expiry it says `feed.expired` and ends.
 */
import type { ApiEventSnapshot, ApiPort, SessionEventData, SessionEventType } from '../../protocol';
import { MAX_EVENT_FEEDS } from '../../protocol';
import type { Base } from '../routing/route';
import { diffPorts } from './port-events';

const KEEPALIVE_MS = 25_000;
/** Bytes of events one feed may hold unread; one more event ends it with `feed.overflow`. 1 MiB: four full snapshots of 1024 ports. */
export const MAX_QUEUED_BYTES = 1024 * 1024;
/** setTimeout's longest delay (about 24.8 days); a later expiry is waited for in steps. */
const MAX_DELAY_MS = 2 ** 31 - 1;
const utf8 = new TextEncoder();

/**
 * Who opened a feed: its credential's expiry (`until`, seconds since the epoch; null: never), owner
 * epoch (null: not an owner token), and the Worker's id for its request (`left` names it).
 */
export interface FeedGrant {
  /** Opened with the admin token: the operator's feeds have their own MAX_EVENT_FEEDS places (the session's tokens, in its untrusted VM, cannot take them). */
  admin?: boolean;
  until: number | null;
  epoch: number | null;
  requestId?: string;
}

interface Feed {
  admin: boolean;
  writer: WritableStreamDefaultWriter<Uint8Array>;
  base: Base;
  /** The port list this feed's reader was last told of (its snapshot, then each diff). */
  ports: readonly ApiPort[];
  epoch: number | null;
  requestId: string | undefined;
  /** The last event's id. */
  id: number;
  /** Bytes written and not yet taken by the reader. */
  queued: number;
  /** Its last event is written: nothing more is, and it leaves once its reader took it all or went. */
  ending: boolean;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export class EventFeed {
  readonly #feeds = new Set<Feed>();
  readonly #maxQueued: number;
  #keepalive: ReturnType<typeof setInterval> | null = null;
  /** The epoch of the last sign-out this object saw: an owner feed of an earlier one is not opened. */
  #signedOut = 0;

  /** `maxQueued`: bytes a feed may hold unread (default MAX_QUEUED_BYTES; tests use less). */
  constructor(maxQueued = MAX_QUEUED_BYTES) {
    this.#maxQueued = maxQueued;
  }

  /** Feeds open now (ending ones included, until their reader has taken their last event or gone). */
  get size(): number {
    return this.#feeds.size;
  }

  /** Whether the admin token's feeds (`admin`), or the session's tokens' feeds, are at MAX_EVENT_FEEDS. */
  full(admin: boolean): boolean {
    let open = 0;
    for (const feed of this.#feeds) if (feed.admin === admin) open += 1;
    return open >= MAX_EVENT_FEEDS;
  }

  /** The distinct bases (scheme and host) the open feeds were opened on: port URLs are built for each. */
  bases(): Base[] {
    const bases = new Map<string, Base>();
    for (const feed of this.#feeds) if (!feed.ending) bases.set(baseKey(feed.base), feed.base);
    return [...bases.values()];
  }

  /**
   * A new feed (a `text/event-stream` body) on `base`, starting with `snapshot` as event 1; it says
   * `feed.expired` and ends at `grant.until`. 'too_many_feeds' (none opened) when MAX_EVENT_FEEDS are
   * open; 'signed_out' for an owner epoch before a sign-out seen since the caller checked it.
   */
  open(
    base: Base,
    grant: FeedGrant,
    snapshot: ApiEventSnapshot,
  ): ReadableStream<Uint8Array> | 'too_many_feeds' | 'signed_out' {
    if (grant.epoch !== null && grant.epoch < this.#signedOut) return 'signed_out';
    const admin = grant.admin === true;
    if (this.full(admin)) return 'too_many_feeds';
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const feed: Feed = {
      admin,
      writer,
      base,
      ports: snapshot.ports,
      epoch: grant.epoch,
      requestId: grant.requestId,
      id: 0,
      queued: 0,
      ending: false,
      timer: undefined,
    };
    this.#feeds.add(feed);
    // Settles when the reader took everything and the feed closed, or when the reader went away.
    writer.closed.then(
      () => this.#forget(feed),
      () => this.#forget(feed),
    );
    this.#event(feed, 'snapshot', snapshot);
    const { until } = grant;
    if (until !== null) {
      const expire = () => {
        const left = until * 1000 - Date.now();
        if (left > 0) feed.timer = setTimeout(expire, Math.min(left, MAX_DELAY_MS));
        else this.#end(feed, 'feed.expired', { reason: 'expired' });
      };
      expire();
    }
    this.#keepalive ??= setInterval(() => this.#broadcast(': keepalive\n\n'), KEEPALIVE_MS);
    return readable;
  }

  /** Send event `type` with `data` to every open feed. */
  emit<T extends SessionEventType>(type: T, data: SessionEventData<T>): void {
    for (const feed of this.#feeds) if (!feed.ending) this.#event(feed, type, data);
  }

  /**
   * The port list on `base` is now `ports`: each feed opened on `base` is sent the port events that
   * take it from what it was last told (port-events.ts diffPorts).
   */
  ports(base: Base, ports: readonly ApiPort[]): void {
    const key = baseKey(base);
    for (const feed of this.#feeds) {
      if (feed.ending || baseKey(feed.base) !== key) continue;
      const events = diffPorts(feed.ports, ports);
      feed.ports = ports;
      for (const event of events) if (!feed.ending) this.#event(feed, event.type, event.data);
    }
  }

  /**
   * The reader of the feed opened for request `requestId` went away (routing/disconnect.ts: the
   * runtime does not cancel a body across the Worker → object hop): it is dropped at once, what it
   * held unread with it. False if no such feed is open.
   */
  left(requestId: string): boolean {
    for (const feed of this.#feeds) {
      if (feed.requestId !== requestId) continue;
      this.#forget(feed);
      feed.writer.abort(new Error('the reader went away')).catch(() => undefined);
      return true;
    }
    return false;
  }

  /** The session ended (`reason`): every feed says `session.ended` and ends. */
  end(reason: SessionEventData<'session.ended'>['reason']): void {
    for (const feed of this.#feeds) if (!feed.ending) this.#end(feed, 'session.ended', { reason });
  }

  /** The owner signed out everywhere: feeds opened with an owner token of an epoch before `epoch` end. */
  signedOut(epoch: number): void {
    this.#signedOut = Math.max(this.#signedOut, epoch);
    for (const feed of this.#feeds) {
      if (!feed.ending && feed.epoch !== null && feed.epoch < epoch) {
        this.#end(feed, 'feed.expired', { reason: 'signed_out' });
      }
    }
  }

  /** Write one event to `feed`; one past its queue bound ends it with `feed.overflow` instead. */
  #event<T extends SessionEventType>(feed: Feed, type: T, data: SessionEventData<T>): void {
    const text = `id: ${feed.id + 1}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
    const bytes = utf8.encode(text);
    if (feed.queued + bytes.byteLength > this.#maxQueued && type !== 'feed.overflow') {
      this.#end(feed, 'feed.overflow', { queuedBytes: feed.queued });
      return;
    }
    feed.id += 1;
    this.#write(feed, bytes);
  }

  /** Write `feed`'s last event and close it; it stays counted until its reader took it all or went. */
  #end<T extends SessionEventType>(feed: Feed, type: T, data: SessionEventData<T>): void {
    this.#event(feed, type, data);
    feed.ending = true;
    if (feed.timer !== undefined) clearTimeout(feed.timer);
    feed.writer.close().catch(() => undefined); // The reader went away: writer.closed forgets the feed.
  }

  #broadcast(text: string): void {
    const bytes = utf8.encode(text);
    for (const feed of this.#feeds) {
      if (feed.ending) continue;
      if (feed.queued + bytes.byteLength > this.#maxQueued)
        this.#end(feed, 'feed.overflow', { queuedBytes: feed.queued });
      else this.#write(feed, bytes);
    }
  }

  #write(feed: Feed, bytes: Uint8Array): void {
    feed.queued += bytes.byteLength;
    feed.writer.write(bytes).then(
      () => (feed.queued -= bytes.byteLength),
      () => this.#forget(feed), // The reader went away (the runtime cancelled the body).
    );
  }

  #forget(feed: Feed): void {
    if (feed.timer !== undefined) clearTimeout(feed.timer);
    this.#feeds.delete(feed);
    if (this.#feeds.size === 0 && this.#keepalive) {
      clearInterval(this.#keepalive);
      this.#keepalive = null;
    }
  }
}

function baseKey(base: Base): string {
  return `${base.scheme}://${base.host}`;
}
