/**
 * Waiting for a writable that said "wait" (`write()` returned false): resolves at its `drain`, or at
 * its `close` (nothing more will be written), and removes both listeners either way, so that a long
 * connection that waits often does not pile up `close` listeners.
 */
import type { EventEmitter } from 'node:events';

/** Resolves once `writable` emits `drain` or `close`. */
export function drained(writable: EventEmitter): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      writable.off('drain', done);
      writable.off('close', done);
      resolve();
    };
    writable.on('drain', done);
    writable.on('close', done);
  });
}
