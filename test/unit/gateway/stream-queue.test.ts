/**
 * Queue, don't refuse (issue 15 item 3): a request that cannot have a stream now waits for one,
 * fairly per viewer, within bounds of length and time; only then is it refused.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StreamGrants } from '../../../gateway/session/grants';
import { request, settle, setup } from './viewer-fixture';

afterEach(() => {
  vi.useRealTimers();
});

describe("the fair queue of a session's streams", () => {
  it('a request over MAX_STREAMS waits and gets the stream that frees, instead of a 503', async () => {
    const { mux, viewers, get } = setup(2, 2);
    const first = [get('a'), get('b')];
    const third = get('c');
    await settle();
    expect(viewers.waiting).toBe(1);
    expect(mux.streams.length).toBe(2);
    mux.finish();
    expect(await third).toBe('c');
    expect(await Promise.all(first)).toEqual(['a', 'b']);
    expect(viewers.waiting).toBe(0);
  });

  it('when a stream frees, the waiting viewer holding the fewest streams goes first, not the flooder', async () => {
    const { mux, viewers, get } = setup(8, 8);
    for (let i = 0; i < 8; i++) void get('flood');
    const order: string[] = [];
    const track = (p: Promise<unknown>) => void p.then((r) => typeof r === 'string' && order.push(r));
    for (let i = 0; i < 5; i++) track(get('flood'));
    await settle();
    track(get('honest'));
    await settle();
    expect(viewers.waiting).toBe(6);
    mux.finish('flood');
    await settle();
    expect(order).toEqual(['honest']);
    mux.finish('flood');
    await settle();
    expect(order).toEqual(['honest', 'flood']);
  });

  it('viewers holding as many streams are served in turn (round-robin)', async () => {
    const { mux, get } = setup(2, 2);
    void get('x');
    void get('x');
    const order: string[] = [];
    for (const key of ['a', 'a', 'a', 'b', 'b', 'b']) void get(key).then((r) => order.push(String(r)));
    await settle();
    for (let i = 0; i < 6; i++) {
      mux.finish();
      await settle();
    }
    expect(order).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
  });

  it('the share still binds a flooder while others wait: an honest viewer is served at once', async () => {
    // MAX_STREAMS 8, share 2: a lone flooder may take half (4); past that it waits, although 4 are free.
    const { viewers, get } = setup(8, 2);
    for (let i = 0; i < 4; i++) void get('flood');
    const waiting = get('flood');
    await settle();
    expect(viewers.held('flood')).toBe(4);
    expect(viewers.waiting).toBe(1);
    expect(await get('honest')).toBe('honest');
    expect(viewers.held('flood')).toBe(4);
    void waiting;
  });

  it("a viewer's full line is refused with the share's 429 or the session's 503, saying the queue was full", async () => {
    const { get } = setup(8, 2, { viewerLength: 2 });
    for (let i = 0; i < 6; i++) void get('flood');
    await settle();
    const refused = await get('flood');
    expect(refused).toMatchObject({ status: 429, code: 'viewer_stream_limit' });
    expect(refused instanceof Error && refused.message).toContain('2 requests of yours were already waiting');
    expect(refused instanceof Error && refused.message).toContain('VIEWER_QUEUE_LENGTH');
  });

  it("a full session queue refuses the flooder's newest request, not the honest newcomer (longest-queue drop)", async () => {
    const { viewers, get } = setup(2, 2, { length: 4, viewerLength: 4 });
    void get('x');
    void get('y');
    const flood = Array.from({ length: 4 }, () => get('flood'));
    await settle();
    expect(viewers.waiting).toBe(4);
    const honest = get('honest');
    const newest = await flood[3];
    expect(newest).toMatchObject({ status: 503, code: 'too_many_streams' });
    expect(newest instanceof Error && newest.message).toContain('QUEUE_LENGTH');
    expect(viewers.waiting).toBe(4);
    // The flooder's line is no longer than the newcomer's would be: the newcomer is refused.
    const { get: get2, viewers: v2 } = setup(1, 1, { length: 2, viewerLength: 2 });
    void get2('x');
    void get2('a');
    void get2('b');
    await settle();
    expect(await get2('c')).toMatchObject({ status: 503, code: 'too_many_streams' });
    expect(v2.waiting).toBe(2);
    void honest;
  });

  it('a wait that expires is refused, saying how long it waited', async () => {
    vi.useFakeTimers();
    const { viewers, get } = setup(1, 1, { waitMs: 1_000 });
    void get('a');
    const late = get('b');
    await vi.advanceTimersByTimeAsync(1_100);
    const refused = await late;
    expect(refused).toMatchObject({ status: 503, code: 'too_many_streams', headers: { 'retry-after': '1' } });
    expect(refused instanceof Error && refused.message).toMatch(/waited 1(\.\d)? s/);
    expect(viewers.waiting).toBe(0);
  });

  it("a waiting request whose viewer leaves (signal or the Worker's viewerLeft) leaves the queue at once", async () => {
    const { mux, viewers, get } = setup(1, 1);
    void get('a');
    const viewer = new AbortController();
    const bySignal = get('b', { signal: viewer.signal });
    const byRpc = get('c', { requestId: 'r-c' });
    await settle();
    expect(viewers.waiting).toBe(2);
    viewer.abort();
    expect(viewers.waiting).toBe(1);
    expect(await bySignal).toMatchObject({ code: 'viewer_left' });
    expect(viewers.left('r-c')).toBe(true);
    expect(viewers.waiting).toBe(0);
    expect(await byRpc).toMatchObject({ code: 'viewer_left' });
    // Neither took the stream that frees next: the session is empty again.
    mux.finish();
    await settle();
    expect(viewers.held('a') + viewers.held('b') + viewers.held('c')).toBe(0);
  });

  it('a viewer that left after it was admitted but before its stream opened opens nothing', async () => {
    const { mux, viewers } = setup(1, 1);
    const slot = await viewers.admit('a', { requestId: 'r1' });
    expect(viewers.left('r1')).toBe(true);
    expect(() => slot.opener(mux.opener('a')).open(request)).toThrow(/went away/);
    slot.release();
    expect(viewers.held('a')).toBe(0);
  });

  it('an admission given back unused frees its place for the next in line', async () => {
    const { viewers, get } = setup(1, 1);
    const slot = await viewers.admit('a');
    const next = get('b');
    await settle();
    slot.release();
    expect(await next).toBe('b');
  });

  it('with QUEUE_LENGTH 0 nothing waits: refused at once, as before', async () => {
    const { get } = setup(1, 1, { length: 0, viewerLength: 0 });
    void get('a');
    expect(await get('b')).toMatchObject({ status: 503, code: 'too_many_streams' });
  });

  it('a sign-out or revocation while a request waited applies when it is admitted: 403, the origin never asked', () => {
    const grants = new StreamGrants(async () => 'link');
    const open = vi.fn();
    const later = Date.now() / 1000 + 60;
    grants.signedOut(2);
    const owner = grants.opener({ kind: 'owner', epoch: 1, expiresAt: later }, 8000, { open });
    expect(() => owner.open(request)).toThrow(expect.objectContaining({ status: 403, code: 'access_withdrawn' }));
    grants.revoked('link-1');
    const reviewer = grants.opener({ kind: 'reviewer', link: 'link-1', expiresAt: later }, 8000, { open });
    expect(() => reviewer.open(request)).toThrow(/revoked/);
    expect(open).not.toHaveBeenCalled();
  });
});
