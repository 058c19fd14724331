import { describe, expect, it } from 'vitest';
import { Backoff } from '../../../../client/tunnel/backoff';

describe('Backoff (equal jitter)', () => {
  it('doubles the ceiling from the base and never goes under half of it', () => {
    const low = new Backoff({ baseMs: 250, capMs: 15_000, random: () => 0 });
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(() => low.next())).toEqual([125, 250, 500, 1000, 2000, 4000, 7500, 7500]);
    const high = new Backoff({ baseMs: 250, capMs: 15_000, random: () => 0.999_999 });
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(() => high.next())).toEqual([250, 500, 1000, 2000, 4000, 8000, 15_000, 15_000]);
  });

  it('starts again from the base after reset()', () => {
    const backoff = new Backoff({ random: () => 0 });
    backoff.next();
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(125);
  });

  it('stays at the cap however many attempts failed', () => {
    const backoff = new Backoff({ random: () => 0.5 });
    for (let i = 0; i < 100; i++) backoff.next();
    expect(backoff.next()).toBe(11_250);
  });
});
