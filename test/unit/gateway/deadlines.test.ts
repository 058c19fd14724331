import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Deadlines } from '../../../gateway/session/deadlines';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Deadlines', () => {
  it('expires an entry at, or up to one tick after, its deadline, once', () => {
    const deadlines = new Deadlines<string>(100);
    const expired = vi.fn();
    deadlines.add('a', 1000, expired);
    vi.advanceTimersByTime(999);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(100);
    expect(expired).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(5000);
    expect(expired).toHaveBeenCalledTimes(1);
    expect(deadlines.size).toBe(0);
  });

  it('a deleted entry never expires; adding a key again moves its deadline', () => {
    const deadlines = new Deadlines<string>(100);
    const a = vi.fn();
    const b = vi.fn();
    deadlines.add('a', 500, a);
    deadlines.add('b', 500, b);
    vi.advanceTimersByTime(300);
    deadlines.delete('a');
    deadlines.add('b', 500, b);
    vi.advanceTimersByTime(300);
    expect(b).not.toHaveBeenCalled();
    vi.advanceTimersByTime(300);
    expect(a).not.toHaveBeenCalled();
    expect(b).toHaveBeenCalledTimes(1);
  });

  it('runs one interval only while something is pending', () => {
    const deadlines = new Deadlines<string>(250);
    expect(vi.getTimerCount()).toBe(0);
    deadlines.add('a', 1000, () => {});
    deadlines.add('b', 2000, () => {});
    expect(vi.getTimerCount()).toBe(1);
    deadlines.delete('a');
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(2250);
    expect(deadlines.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
