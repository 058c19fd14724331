/**
 * The operator's event feed (gateway/session/events.ts) in Node's web streams: SSE framing and ids,
 * the bound on open feeds, the per-feed queue bound (a reader that does not read), expiry, sign-out
 * and the session's end.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type ApiEventSnapshot, type ApiPort, MAX_EVENT_FEEDS } from '../../../protocol';
import { EventFeed, MAX_QUEUED_BYTES } from '../../../gateway/session/events';

const BASE = { scheme: 'http', host: 'porthole.localhost:8787' };
const OTHER = { scheme: 'https', host: 'porthole.example.com' };
const ADMIN = { until: null, epoch: null };
const snapshot = (ports: ApiPort[] = []): ApiEventSnapshot => ({ state: 'active', tunnel: 'connected', ports });
const port = (n: number, url = `http://${n}-sig.s.localhost:8787/`): ApiPort => ({
  port: n,
  url,
  visibility: 'private',
  listening: true,
});

interface Parsed {
  id?: number;
  event?: string;
  data?: unknown;
  comment?: string;
}

/** Reads everything the stream has now (or until it ends) as parsed SSE blocks. */
async function drain(stream: ReadableStream<Uint8Array>): Promise<{ blocks: Parsed[]; ended: boolean }> {
  const reader = stream.getReader();
  let text = '';
  let ended = false;
  for (;;) {
    const next = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), 20))]);
    if (next === null) break;
    if (next.done) {
      ended = true;
      break;
    }
    text += new TextDecoder().decode(next.value);
  }
  reader.releaseLock();
  const blocks = text
    .split('\n\n')
    .filter(Boolean)
    .map((block) => {
      const parsed: Parsed = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(': ')) parsed.comment = line.slice(2);
        else if (line.startsWith('id: ')) parsed.id = Number(line.slice(4));
        else if (line.startsWith('event: ')) parsed.event = line.slice(7);
        else if (line.startsWith('data: ')) parsed.data = JSON.parse(line.slice(6));
      }
      return parsed;
    });
  return { blocks, ended };
}

function opened(feed: EventFeed, ...args: Parameters<EventFeed['open']>): ReadableStream<Uint8Array> {
  const stream = feed.open(...args);
  if (typeof stream === 'string') throw new Error(stream);
  return stream;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('EventFeed', () => {
  it('starts with the snapshot as event 1, then numbered events in order', async () => {
    const feed = new EventFeed();
    const stream = opened(feed, BASE, ADMIN, snapshot([port(3000)]));
    feed.emit('tunnel.down', {});
    feed.ports(BASE, [port(3000), port(4000)]);
    feed.emit('tunnel.up', { connectedAt: '2026-01-01T00:00:00.000Z' });
    const { blocks, ended } = await drain(stream);
    expect(ended).toBe(false);
    expect(blocks).toEqual([
      { id: 1, event: 'snapshot', data: snapshot([port(3000)]) },
      { id: 2, event: 'tunnel.down', data: {} },
      { id: 3, event: 'port.opened', data: port(4000) },
      { id: 4, event: 'tunnel.up', data: { connectedAt: '2026-01-01T00:00:00.000Z' } },
    ]);
  });

  it('port events go to the feeds of their base only, each diffed against what that feed was told', async () => {
    const feed = new EventFeed();
    const here = opened(feed, BASE, ADMIN, snapshot());
    const there = opened(feed, OTHER, ADMIN, snapshot([port(3000, 'https://3000/')]));
    expect(feed.bases()).toEqual([BASE, OTHER]);
    feed.ports(BASE, [port(3000)]);
    feed.ports(OTHER, [port(3000, 'https://3000/')]);
    expect((await drain(here)).blocks.map((b) => b.event)).toEqual(['snapshot', 'port.opened']);
    expect((await drain(there)).blocks.map((b) => b.event)).toEqual(['snapshot']);
  });

  it(`holds at most ${MAX_EVENT_FEEDS} feeds; one that its reader leaves frees its place`, async () => {
    const feed = new EventFeed();
    const streams = Array.from({ length: MAX_EVENT_FEEDS }, () => opened(feed, BASE, ADMIN, snapshot()));
    expect(feed.open(BASE, ADMIN, snapshot())).toBe('too_many_feeds');
    await streams[0]?.cancel();
    await vi.waitFor(() => expect(feed.size).toBe(MAX_EVENT_FEEDS - 1));
    expect(feed.open(BASE, ADMIN, snapshot())).not.toBe('too_many_feeds');
  });

  it('a reader that does not read: past the queue bound the feed says feed.overflow and ends, holding no more', async () => {
    const feed = new EventFeed(4096);
    const stream = opened(feed, BASE, ADMIN, snapshot());
    const big = Array.from({ length: 20 }, (_, i) => port(10_000 + i));
    // A client flooding PORTS: the same ports open and close over and over.
    for (let i = 0; i < 200; i++) feed.ports(BASE, i % 2 === 0 ? big : []);
    // Still counted (its reader has not taken its last event) so stalled feeds cannot pile up.
    expect(feed.size).toBe(1);
    const { blocks, ended } = await drain(stream);
    expect(ended).toBe(true);
    const last = blocks.at(-1);
    expect(last?.event).toBe('feed.overflow');
    const bytes = blocks.reduce((n, b) => n + JSON.stringify(b.data ?? '').length, 0);
    expect(bytes).toBeLessThan(4096 + 1024);
    expect(blocks.length).toBeLessThan(100); // of the 4000 events the flood made
    await vi.waitFor(() => expect(feed.size).toBe(0));
  });

  it('the default bound holds a full snapshot of 1024 ports several times over', () => {
    const ports = Array.from({ length: 1024 }, (_, i) =>
      port(i + 1, `https://${i + 1}-abcdefghijklmnop.s.example.com/`),
    );
    const bytes = new TextEncoder().encode(JSON.stringify(snapshot(ports))).byteLength;
    expect(bytes * 3).toBeLessThan(MAX_QUEUED_BYTES);
  });

  it('a feed opened with a token says feed.expired at its expiry and ends; an admin feed does not', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const feed = new EventFeed();
    const until = Math.floor(Date.now() / 1000) + 60;
    const token = opened(feed, BASE, { until, epoch: null }, snapshot());
    const admin = opened(feed, BASE, ADMIN, snapshot());
    await vi.advanceTimersByTimeAsync(61_000);
    vi.useRealTimers();
    const expired = await drain(token);
    expect(expired.ended).toBe(true);
    expect(expired.blocks.at(-1)).toEqual({ id: 2, event: 'feed.expired', data: { reason: 'expired' } });
    const still = await drain(admin);
    expect(still.ended).toBe(false);
    expect(still.blocks.filter((b) => b.comment === 'keepalive').length).toBe(2); // at 25 s and 50 s
  });

  it('a sign-out ends the feeds of owner tokens of earlier epochs only', async () => {
    const feed = new EventFeed();
    const owner = opened(feed, BASE, { until: 2e9, epoch: 0 }, snapshot());
    const session = opened(feed, BASE, { until: 2e9, epoch: null }, snapshot());
    feed.signedOut(1);
    expect((await drain(owner)).blocks.at(-1)).toMatchObject({ event: 'feed.expired', data: { reason: 'signed_out' } });
    expect((await drain(session)).ended).toBe(false);
    // An owner feed of the old epoch that was checked before the sign-out and opens after it: refused.
    expect(feed.open(BASE, { until: 2e9, epoch: 0 }, snapshot())).toBe('signed_out');
    expect(feed.open(BASE, { until: 2e9, epoch: 1 }, snapshot())).not.toBe('signed_out');
  });

  it('end(reason): every feed says session.ended and ends; nothing is written after', async () => {
    const feed = new EventFeed();
    const stream = opened(feed, BASE, ADMIN, snapshot());
    feed.end('expired');
    feed.emit('tunnel.down', {});
    const { blocks, ended } = await drain(stream);
    expect(ended).toBe(true);
    expect(blocks.map((b) => b.event)).toEqual(['snapshot', 'session.ended']);
    expect(blocks[1]?.data).toEqual({ reason: 'expired' });
  });
});
