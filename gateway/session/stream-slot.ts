/**
 * One admission to a session's stream (viewers.ts): reserved for its request
 * when admitted (at once or after waiting), then its one stream open, then
 * done, which gives the place back. A request that fails before it opens its
 * stream gives it back unused (release).
 */
import type { Mux, MuxStream } from '../../protocol';
import { viewerGone } from '../errors';

/** What the bridges need of the multiplexer: opening a stream. */
export type StreamOpener = Pick<Mux, 'open'>;

/** A stream a viewer was admitted to: opened once through `opener`, or given back with `release`. */
export interface Slot {
  opener(mux: StreamOpener): StreamOpener;
  /** Give the slot back if no stream was opened with it (else a no-op: the stream frees it when done). */
  release(): void;
}

/** One admission: reserved, then its stream open, then done (freed). */
export class Admitted implements Slot {
  stream: MuxStream | null = null;
  /** The viewer went away (before the stream opened: it will not open). */
  left = false;
  #state: 'reserved' | 'open' | 'done' = 'reserved';

  constructor(
    readonly key: string,
    readonly requestId: string | undefined,
    private readonly free: (slot: Admitted) => void,
  ) {}

  opener(mux: StreamOpener): StreamOpener {
    return {
      open: (request) => {
        if (this.#state !== 'reserved') throw new Error('an admission opens one stream');
        if (this.left) throw viewerGone();
        const stream = mux.open(request);
        this.#state = 'open';
        this.stream = stream;
        void stream.done().then(() => this.#done());
        return stream;
      },
    };
  }

  release(): void {
    if (this.#state === 'reserved') this.#done();
  }

  #done(): void {
    if (this.#state === 'done') return;
    this.#state = 'done';
    this.free(this);
  }
}
