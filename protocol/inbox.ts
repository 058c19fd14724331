/**
 * The chunks a stream received and its reader has not taken yet, in order, for one reader at a
 * time. Bounded by flow control, not here: the peer cannot send more than the window.
 */
import type { DataFrame } from './frames';

/** One DATA payload as the reader gets it. */
export type Chunk = Pick<DataFrame, 'data'>;

export class Inbox {
  #queue: Chunk[] = [];
  #reader: { resolve(chunk: Chunk | null): void; reject(error: Error): void } | null = null;
  #ended = false;
  #error: Error | null = null;

  /** `ended`: the peer will send nothing (an OPEN without body). */
  constructor(ended = false) {
    this.#ended = ended;
  }

  push(chunk: Chunk): void {
    const reader = this.#reader;
    this.#reader = null;
    if (reader) reader.resolve(chunk);
    else this.#queue.push(chunk);
  }

  /** The peer ended: once the queue is drained, next() resolves null. */
  end(): void {
    this.#ended = true;
    if (this.#queue.length > 0 || !this.#reader) return;
    const reader = this.#reader;
    this.#reader = null;
    reader.resolve(null);
  }

  /** The stream failed: queued chunks are dropped and every next() rejects with `error`. */
  fail(error: Error): void {
    this.#error = error;
    this.#queue = [];
    const reader = this.#reader;
    this.#reader = null;
    reader?.reject(error);
  }

  /** The next chunk, null after the end, or the failure. */
  next(): Promise<Chunk | null> {
    const chunk = this.#queue.shift();
    if (chunk) return Promise.resolve(chunk);
    if (this.#error) return Promise.reject(this.#error);
    if (this.#ended) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      this.#reader = { resolve, reject };
    });
  }
}
