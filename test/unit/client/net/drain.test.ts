/** drained(): a writable's drain or close, with no listener left behind (a long forwarded connection waits often). */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { drained } from '../../../../client/net/drain';

describe('drained', () => {
  it('resolves at drain or close and leaves no listener', async () => {
    const writable = new EventEmitter();
    for (let i = 0; i < 20; i++) {
      const waiting = drained(writable);
      writable.emit(i % 2 ? 'drain' : 'close');
      await waiting;
    }
    expect(writable.listenerCount('drain')).toBe(0);
    expect(writable.listenerCount('close')).toBe(0);
  });
});
