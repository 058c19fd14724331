/**
 * A ViewerStreams with a stand-in multiplexer, for the queue and share tests.
 */
import { vi } from 'vitest';
import type { MuxStream, OpenRequest } from '../../../protocol';
import { Deadlines } from '../../../gateway/session/deadlines';
import { type QueueLimits, type Slot, ViewerStreams } from '../../../gateway/session/viewers';

/** A multiplexer stand-in: each opened stream is done when the test says so, in the order opened. */
export function fakeMux() {
  const streams: { key: string; finish: () => void; reset: ReturnType<typeof vi.fn> }[] = [];
  return {
    streams,
    /** Finish the first open stream of `key` (any key when none given). */
    finish(key?: string) {
      const at = streams.findIndex((s) => key === undefined || s.key === key);
      streams.splice(at, 1)[0]?.finish();
    },
    opener(key: string) {
      return {
        open(_request: OpenRequest): MuxStream {
          let finish = () => {};
          const done = new Promise<null>((resolve) => (finish = () => resolve(null)));
          const reset = vi.fn(() => finish());
          streams.push({ key, finish, reset });
          return { done: () => done, reset } as unknown as MuxStream;
        },
      };
    },
  };
}

export const request = {} as OpenRequest;
export const settle = () => new Promise((resolve) => setImmediate(resolve));

export function setup(max: number, share: number, queue: Partial<QueueLimits> = {}) {
  const mux = fakeMux();
  const limits = { length: 64, viewerLength: 32, waitMs: 10_000, ...queue };
  const viewers = new ViewerStreams(
    () => share,
    () => max,
    () => limits,
    new Deadlines(10),
  );
  /** Admit a request of `key` and open its stream once admitted; resolves with the key, or the refusal. */
  const get = async (key: string, options: { requestId?: string; signal?: AbortSignal } = {}) => {
    try {
      const slot: Slot = await viewers.admit(key, options);
      slot.opener(mux.opener(key)).open(request);
      slot.release();
      return key;
    } catch (error) {
      return error as Error & { status: number; code: string };
    }
  };
  return { mux, viewers, get };
}
