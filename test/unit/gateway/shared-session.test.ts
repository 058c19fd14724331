/**
 * A session shared by several viewers: each is held to its share from its first stream (the rest of
 * its requests wait), and a stream its viewer abandoned still counts against that viewer's share for
 * LEFT_HOLD_MS — so a flood of abandoned streams cannot become a request-rate flood that the other
 * viewers wait behind.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RecentViewers } from '../../../gateway/session/recent-viewers';
import { LEFT_HOLD_MS } from '../../../gateway/session/viewers';
import { settle, setup } from './viewer-fixture';

afterEach(() => {
  vi.useRealTimers();
});

describe('a session shared by several viewers', () => {
  it('a lone viewer may go past its share until half the session is in use; once another viewer asks, it is held to its share', async () => {
    // MAX_STREAMS 8, share 2: alone, the flooder takes half (4); then its requests wait.
    const { viewers, get } = setup(8, 2);
    for (let i = 0; i < 4; i++) void get('flood');
    await settle();
    expect(viewers.held('flood')).toBe(4);
    // Another viewer asks: served at once, and the session is shared now.
    expect(await get('honest')).toBe('honest');
    void get('flood');
    await settle();
    expect(viewers.held('flood')).toBe(4);
    expect(viewers.waiting).toBe(1);
  });

  it('while shared, the share binds from the first stream, not only once half the session is in use', async () => {
    const { viewers, get } = setup(8, 2);
    expect(await get('honest')).toBe('honest');
    expect(await get('flood')).toBe('flood');
    expect(await get('flood')).toBe('flood');
    void get('flood');
    await settle();
    expect(viewers.held('flood')).toBe(2);
    expect(viewers.waiting).toBe(1);
  });

  it("an abandoned stream frees the session's place at once but its viewer's only after LEFT_HOLD_MS", async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    const { mux, viewers, get } = setup(8, 2);
    expect(await get('honest')).toBe('honest');
    expect(await get('flood', { requestId: 'f1' })).toBe('flood');
    expect(await get('flood', { requestId: 'f2' })).toBe('flood');
    // The flooder leaves both once their heads arrive: the streams are reset and done.
    expect(viewers.left('f1')).toBe(true);
    expect(viewers.left('f2')).toBe(true);
    expect(mux.streams.filter((s) => s.key === 'flood').every((s) => s.reset.mock.calls.length === 1)).toBe(true);
    await settle();
    const next = get('flood');
    await settle();
    expect(viewers.waiting).toBe(1);
    // Another viewer may have those places now.
    expect(await get('other')).toBe('other');
    vi.advanceTimersByTime(LEFT_HOLD_MS + 50);
    await settle();
    expect(await next).toBe('flood');
    expect(viewers.held('flood')).toBe(1);
  });
});

describe('RecentViewers', () => {
  it('knows whether anyone but a viewer asked within the last one to two windows, in constant memory', () => {
    let now = 10_000;
    const recent = new RecentViewers(1_000, () => now);
    recent.seen('a');
    expect(recent.othersThan('a')).toBe(false);
    expect(recent.othersThan('b')).toBe(true);
    for (const key of ['b', 'c', 'd']) recent.seen(key);
    expect(recent.othersThan('a')).toBe(true);
    expect(recent.othersThan('d')).toBe(true);
    now += 1_000;
    expect(recent.othersThan('a')).toBe(true);
    now += 1_000;
    expect(recent.othersThan('a')).toBe(false);
  });
});
