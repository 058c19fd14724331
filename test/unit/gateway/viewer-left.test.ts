/**
 * The viewer's disconnect carried across the Worker → Session object hop: the
 * Worker tags each forwarded request with an id (in its route) and, when the
 * viewer's request.signal aborts, tells the object by RPC; the object resets
 * that request's stream. The local runtime never aborts request.signal for a
 * waiting request, so this is tested here with stand-ins on both sides.
 */
import { describe, expect, it, vi } from 'vitest';
import { onViewerLeft } from '../../../gateway/routing/disconnect';
import { readRoute, withRoute } from '../../../gateway/routing/route';
import { ViewerStreams } from '../../../gateway/session/viewers';
import { type MuxStream, ResetCode } from '../../../protocol';

describe('a viewer that disconnects, across the Worker → Session object hop', () => {
  it('the Worker names the request and, on the abort, tells the object that name, under waitUntil', async () => {
    const tell = vi.fn(async (_id: string) => true);
    const waitUntil = vi.fn();
    const viewer = new AbortController();
    const requestId = onViewerLeft(viewer.signal, { waitUntil }, tell);
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(onViewerLeft(new AbortController().signal, { waitUntil }, tell)).not.toBe(requestId);
    expect(tell).not.toHaveBeenCalled();

    viewer.abort();
    viewer.abort();
    expect(tell).toHaveBeenCalledTimes(1);
    expect(tell).toHaveBeenCalledWith(requestId);
    expect(waitUntil).toHaveBeenCalledTimes(1);
  });

  it('the id travels in the route to the object', () => {
    const request = withRoute(new Request('http://8000-x.y.localhost/'), {
      kind: 'viewer',
      port: 8000,
      requestId: 'r1',
    });
    expect(readRoute(request, 's')).toMatchObject({ kind: 'viewer', requestId: 'r1' });
  });

  it('the object resets the stream of that request (CANCEL), once; an unknown or finished one is no-op', async () => {
    let finish: () => void = () => {};
    const done = new Promise<null>((resolve) => (finish = () => resolve(null)));
    const reset = vi.fn();
    const stream = { done: () => done, reset } as unknown as MuxStream;
    const viewers = new ViewerStreams(
      () => 4,
      () => 8,
    );
    viewers.opener('203.0.113.7', { open: () => stream }, 'r1').open({} as never);

    expect(viewers.left('other')).toBe(false);
    expect(viewers.left('r1')).toBe(true);
    expect(reset).toHaveBeenCalledWith(ResetCode.CANCEL, 'the viewer went away');
    expect(viewers.left('r1')).toBe(false);

    viewers.opener('203.0.113.7', { open: () => stream }, 'r2').open({} as never);
    finish();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(viewers.left('r2')).toBe(false);
    expect(reset).toHaveBeenCalledTimes(1);
  });
});
