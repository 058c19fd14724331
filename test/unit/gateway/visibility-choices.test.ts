/**
 * Owner visibility choices are bounded per session (found by an attack pass): each one that changes
 * something rewrites the session's whole shares value in storage, so an owner token in an untrusted
 * VM could otherwise rewrite it as fast as it can send PATCH /ports. One that changes nothing writes nothing.
 */
import { describe, expect, it } from 'vitest';
import type { PortStorage } from '../../../gateway/session/port-table';
import {
  ShareStore as Shares,
  VISIBILITY_CHOICES_BURST,
  VISIBILITY_CHOICES_PER_SECOND,
} from '../../../gateway/session/shares';

function countingStorage() {
  const values = new Map<string, unknown>();
  let puts = 0;
  const storage: PortStorage = {
    get: <T>(key: string) => Promise.resolve(values.get(key) as T | undefined),
    put: <T>(key: string, value: T) => {
      puts++;
      values.set(key, structuredClone(value));
      return Promise.resolve();
    },
  };
  return { storage, puts: () => puts };
}

describe('owner visibility choices', () => {
  it('past the burst a change is refused and nothing is written; the rate refills; a repeat writes nothing', async () => {
    let now = 1_000_000;
    const { storage, puts } = countingStorage();
    const shares = new Shares(storage, () => now);
    const results: boolean[] = [];
    for (let i = 0; i < VISIBILITY_CHOICES_BURST + 5; i++) {
      // Always a change from what is stored now.
      const next = (await shares.visibility(3000)) === 'public' ? 'link' : 'public';
      results.push(await shares.setVisibility(3000, next));
    }
    expect(results.filter((ok) => ok)).toHaveLength(VISIBILITY_CHOICES_BURST);
    expect(results.slice(VISIBILITY_CHOICES_BURST).every((ok) => !ok)).toBe(true);
    expect(puts()).toBe(VISIBILITY_CHOICES_BURST);
    // The same choice again changes nothing: accepted, not written, whatever the rate.
    const current = await shares.visibility(3000);
    expect(await shares.setVisibility(3000, current!)).toBe(true);
    expect(puts()).toBe(VISIBILITY_CHOICES_BURST);
    now += 1_000;
    expect(await shares.setVisibility(3000, current === 'public' ? 'private' : 'public')).toBe(true);
    expect(VISIBILITY_CHOICES_PER_SECOND).toBeGreaterThanOrEqual(1);
  });
});
