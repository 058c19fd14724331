/**
 * Attacks on the per-viewer share (issue 13 item 1, attacker round 2). Each test is a finding: it
 * fails today and passes once its fix is in.
 */
import { describe, expect, it } from 'vitest';
import type { MuxStream, OpenRequest } from '../../../protocol';
import { viewerKey, ViewerStreams } from '../../../gateway/session/viewers';

/** A multiplexer stand-in with the session-wide limit (MAX_STREAMS) a real Mux enforces. */
function limitedMux(maxStreams: number) {
  let open = 0;
  return {
    open(_request: OpenRequest): MuxStream {
      if (open >= maxStreams) throw new Error('too_many_streams');
      open++;
      return { done: () => new Promise<null>(() => {}) } as unknown as MuxStream;
    },
  };
}

const request = {} as OpenRequest;

/** Open streams for `key` until one is refused; how many it got. */
function flood(viewers: ViewerStreams, key: string, mux: ReturnType<typeof limitedMux>, max: number): number {
  let got = 0;
  for (; got < max; got++) {
    try {
      viewers.open(key, mux, request);
    } catch {
      break;
    }
  }
  return got;
}

describe('attacker round 2: the per-viewer share on Cloudflare', () => {
  it('one subscriber (one /56, as ISPs hand out) flooding from three of its /64s does not take every stream', () => {
    // The defaults: MAX_STREAMS 256, VIEWER_MAX_STREAMS 64. The edge's CF-Connecting-IP cannot be
    // forged, but one home IPv6 connection may use any address of its delegated prefix (RFC 6177:
    // a /56 or /48), so one attacker is as many viewers as it has /64s: the first takes half the
    // session (the work-conserving share), each further /64 another VIEWER_MAX_STREAMS.
    const MAX = 256;
    const mux = limitedMux(MAX);
    const viewers = new ViewerStreams(
      () => 64,
      () => MAX,
    );
    let taken = 0;
    for (const subnet of ['2001:db8:0:1', '2001:db8:0:2', '2001:db8:0:3']) {
      taken += flood(viewers, viewerKey(`${subnet}::1`), mux, MAX);
    }
    expect(taken).toBeLessThan(MAX);
    // An honest viewer elsewhere still gets a stream.
    expect(() => viewers.open(viewerKey('198.51.100.7'), mux, request)).not.toThrow();
  });
});
