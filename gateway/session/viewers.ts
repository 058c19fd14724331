/**
 * Per-viewer fairness: how many of a session's streams each viewer holds, so
 * one viewer (one client address) cannot take more than its share
 * (VIEWER_MAX_STREAMS) and starve the others; past it, 429
 * `viewer_stream_limit`. The share is work-conserving, like fair queueing:
 * it is enforced only while at least half of the session's streams
 * (MAX_STREAMS) are in use, so a lone viewer (an owner's browser loading a
 * dev server's hundreds of unbundled modules over HTTP/2) may use up to half
 * of an otherwise idle session, while a flood always leaves the other half to
 * everyone else. The session-wide MAX_STREAMS (the multiplexer's own limit,
 * 503) still holds for everyone together.
 *
 * A stream counts from open to done, HTTP and WebSocket alike: a response
 * body still flowing, a quiet server-sent-event feed, an open WebSocket.
 */
import { type Mux, type MuxStream, type OpenRequest, ResetCode } from '../../protocol';
import { tooManyViewerStreams } from '../errors';

/** What the bridges need of the multiplexer: opening a stream. */
export type StreamOpener = Pick<Mux, 'open'>;

/** The key of requests that arrive without a client address (one shared bucket). */
export const UNKNOWN_VIEWER = 'unknown';

/**
 * The viewer a client address belongs to: an IPv4 address as it is (also when
 * written as IPv6, `::ffff:a.b.c.d`), an IPv6 address by its /64 prefix (one
 * subscriber's network, which hands its hosts any address in it), no address
 * UNKNOWN_VIEWER.
 * @param clientIp the edge's `CF-Connecting-IP`, or null.
 */
export function viewerKey(clientIp: string | null): string {
  const ip = clientIp?.trim().toLowerCase() ?? '';
  if (!ip) return UNKNOWN_VIEWER;
  if (!ip.includes(':')) return ip;
  // An IPv4 address written as IPv6 (`::ffff:198.51.100.1`) is that IPv4 viewer, not the /64 of them all.
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(ip);
  if (mapped) return mapped[1] as string;
  const [head = '', tail] = ip.split('::', 2);
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // An embedded IPv4 tail (`::ffff:1.2.3.4`) stands for two groups; only the first four groups matter here.
  const missing = 8 - left.length - right.length - (right.at(-1)?.includes('.') ? 1 : 0);
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, missing)).fill('0'), ...right];
  const prefix = groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, ''));
  return `${prefix.join(':')}::/64`;
}

/**
 * The wider network a viewer key belongs to, counted too: for an IPv6 /64, its /48 (the most an ISP
 * delegates to one subscriber, RFC 6177, who may use any /64 of it); none for IPv4 or no address.
 */
export function viewerNetwork(key: string): string | null {
  if (!key.endsWith('::/64')) return null;
  return `${key.slice(0, -'::/64'.length).split(':').slice(0, 3).join(':')}::/48`;
}

/** A network (viewerNetwork) may hold this many times VIEWER_MAX_STREAMS while the session is busy. */
export const NETWORK_SHARES = 2;

export class ViewerStreams {
  readonly #held = new Map<string, number>();
  /** The open streams by the Worker's request id (routing/route.ts `requestId`), until done. */
  readonly #byRequest = new Map<string, MuxStream>();
  readonly #limit: () => number;
  readonly #sessionLimit: () => number;
  /** Streams held by all viewers together. */
  #total = 0;

  /**
   * @param limit the streams one viewer may hold while the session is busy (VIEWER_MAX_STREAMS, ≥ 1), read on every open.
   * @param sessionLimit the session's streams (MAX_STREAMS): the share applies once half of them are in use.
   */
  constructor(limit: () => number, sessionLimit: () => number) {
    this.#limit = limit;
    this.#sessionLimit = sessionLimit;
  }

  /**
   * What the viewer `key` may open streams through: `mux`, counted against its share; each stream
   * opened is also known by `requestId` (when given), for left().
   */
  opener(key: string, mux: StreamOpener, requestId?: string): StreamOpener {
    return {
      open: (request) => {
        const stream = this.open(key, mux, request);
        if (requestId !== undefined) {
          this.#byRequest.set(requestId, stream);
          void stream.done().then(() => this.#byRequest.delete(requestId));
        }
        return stream;
      },
    };
  }

  /**
   * The viewer of `requestId` went away (the Worker saw its disconnect): its stream, if still open,
   * is reset with CANCEL, which frees it and cancels the origin's request. False if none was open.
   */
  left(requestId: string): boolean {
    const stream = this.#byRequest.get(requestId);
    if (!stream) return false;
    this.#byRequest.delete(requestId);
    stream.reset(ResetCode.CANCEL, 'the viewer went away');
    return true;
  }

  /**
   * Open a stream for the viewer `key` through `mux`; it counts until the stream is done.
   * Throws 429 `viewer_stream_limit` when the viewer already holds its share and half the session's
   * streams are in use (nothing is opened), and whatever `mux.open` throws (the session-wide limit,
   * a lost tunnel).
   */
  open(key: string, mux: StreamOpener, request: OpenRequest): MuxStream {
    const limit = this.#limit();
    const network = viewerNetwork(key);
    if (this.#total >= Math.ceil(this.#sessionLimit() / 2)) {
      if (this.held(key) >= limit) throw tooManyViewerStreams(limit);
      if (network && this.held(network) >= NETWORK_SHARES * limit) throw tooManyViewerStreams(limit);
    }
    const stream = mux.open(request);
    this.#count(key, 1);
    if (network) this.#count(network, 1);
    this.#total++;
    void stream.done().then(() => this.#release(key));
    return stream;
  }

  /** Streams the viewer `key` holds now. */
  held(key: string): number {
    return this.#held.get(key) ?? 0;
  }

  /** How many viewers hold a stream now (every key with a count above 0 is kept, none other; networks aside). */
  get viewers(): number {
    return [...this.#held.keys()].filter((key) => !key.endsWith('::/48')).length;
  }

  #release(key: string): void {
    this.#total--;
    this.#count(key, -1);
    const network = viewerNetwork(key);
    if (network) this.#count(network, -1);
  }

  #count(key: string, delta: number): void {
    const held = (this.#held.get(key) ?? 0) + delta;
    if (held > 0) this.#held.set(key, held);
    else this.#held.delete(key);
  }
}
