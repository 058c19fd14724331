import { describe, expect, it, vi } from 'vitest';
import type { MuxStream, OpenRequest } from '../../../protocol';
import { GatewayError } from '../../../gateway/errors';
import { UNKNOWN_VIEWER, viewerKey, ViewerStreams } from '../../../gateway/session/viewers';

/** A multiplexer stand-in: each opened stream is done when the test says so. */
function fakeMux() {
  const finish: (() => void)[] = [];
  let opened = 0;
  return {
    finish,
    get opened() {
      return opened;
    },
    open(_request: OpenRequest): MuxStream {
      opened++;
      const done = new Promise<null>((resolve) => finish.push(() => resolve(null)));
      return { done: () => done } as unknown as MuxStream;
    },
  };
}

const request = {} as OpenRequest;
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('ViewerStreams', () => {
  it('lets a viewer hold its share, refuses one more with 429 (nothing opened), and counts again once one is done', async () => {
    const mux = fakeMux();
    const viewers = new ViewerStreams(
      () => 2,
      () => 4,
    );
    viewers.open('a', mux, request);
    viewers.open('a', mux, request);
    let refused: unknown;
    try {
      viewers.open('a', mux, request);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(GatewayError);
    expect(refused).toMatchObject({ status: 429, code: 'viewer_stream_limit', headers: { 'retry-after': '1' } });
    expect((refused as Error).message).toContain('VIEWER_MAX_STREAMS');
    expect(mux.opened).toBe(2);
    // Another viewer has a share of its own.
    viewers.opener('b', mux).open(request);
    expect(viewers.held('b')).toBe(1);

    mux.finish[0]?.();
    await settle();
    expect(viewers.held('a')).toBe(1);
    viewers.open('a', mux, request);
    expect(viewers.held('a')).toBe(2);
  });

  it('is work-conserving for a lone viewer: past its share until half the session is in use, never while shared', async () => {
    const mux = fakeMux();
    const viewers = new ViewerStreams(
      () => 2,
      () => 8,
    );
    for (let i = 0; i < 4; i++) viewers.open('a', mux, request);
    expect(viewers.held('a')).toBe(4);
    // Half the session's streams are in use: 'a' is over its share, 'b' is not.
    expect(() => viewers.open('a', mux, request)).toThrow(GatewayError);
    viewers.open('b', mux, request);
    viewers.open('b', mux, request);
    expect(() => viewers.open('b', mux, request)).toThrow(GatewayError);
    // Once 'a' lets go of all, 'b' is alone again (after a second or two) and may go past its share.
    vi.useFakeTimers({ toFake: ['Date'] });
    for (const finish of mux.finish.slice(0, 4)) finish();
    await settle();
    expect(() => viewers.open('b', mux, request)).toThrow(GatewayError);
    vi.advanceTimersByTime(2_000);
    viewers.open('b', mux, request);
    expect(viewers.held('b')).toBe(3);
    vi.useRealTimers();
  });

  it('forgets a viewer whose streams are all done', async () => {
    const mux = fakeMux();
    const viewers = new ViewerStreams(
      () => 4,
      () => 8,
    );
    viewers.open('a', mux, request);
    expect(viewers.viewers).toBe(1);
    for (const finish of mux.finish) finish();
    await settle();
    expect(viewers.viewers).toBe(0);
    expect(viewers.held('a')).toBe(0);
  });

  it('a refused open by the multiplexer (the session-wide limit) costs the viewer nothing', () => {
    const viewers = new ViewerStreams(
      () => 4,
      () => 8,
    );
    const full = {
      open: () => {
        throw new Error('session full');
      },
    };
    expect(() => viewers.open('a', full, request)).toThrow('session full');
    expect(viewers.held('a')).toBe(0);
  });
});

describe('viewerKey', () => {
  it('an IPv4 address is its own viewer; no address is the shared unknown viewer', () => {
    expect(viewerKey('203.0.113.7')).toBe('203.0.113.7');
    expect(viewerKey(null)).toBe(UNKNOWN_VIEWER);
    expect(viewerKey(' ')).toBe(UNKNOWN_VIEWER);
  });

  it('an IPv6 address counts by its /64, however it is written', () => {
    const key = '2001:db8:1:2::/64';
    expect(viewerKey('2001:db8:1:2::1')).toBe(key);
    expect(viewerKey('2001:0DB8:0001:0002:ffff:eeee:dddd:cccc')).toBe(key);
    expect(viewerKey('2001:db8:1:2:0:0:0:7')).toBe(key);
    expect(viewerKey('2001:db8:1:3::1')).not.toBe(key);
    expect(viewerKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(viewerKey('::1')).toBe('0:0:0:0::/64');
    expect(viewerKey('::ffff:198.51.100.1')).toBe('198.51.100.1');
    expect(viewerKey('::ffff:198.51.100.2')).not.toBe(viewerKey('::ffff:198.51.100.1'));
  });
});
