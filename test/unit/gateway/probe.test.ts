import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Deadlines } from '../../../gateway/session/deadlines';
import { probeable, QuietProbe } from '../../../gateway/session/probe';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const text = (chunks: Uint8Array[]) => chunks.map((c) => new TextDecoder().decode(c)).join('');
const bytes = (s: string) => new TextEncoder().encode(s);

describe('QuietProbe', () => {
  it('writes a comment line after each quiet spell at a line start, none inside a line, none once stopped', () => {
    const written: Uint8Array[] = [];
    const probe = new QuietProbe(new Deadlines<object>(100), (c) => written.push(c), 2);
    probe.waiting();
    vi.advanceTimersByTime(2100);
    expect(text(written)).toBe(':\n');
    vi.advanceTimersByTime(2000);
    expect(text(written)).toBe(':\n:\n');

    probe.passed(bytes('data: a'));
    probe.waiting();
    vi.advanceTimersByTime(10_000);
    expect(text(written)).toBe(':\n:\n'); // Mid-line: a comment would split the origin's line.

    probe.passed(bytes('\n\n'));
    probe.waiting();
    probe.stop();
    vi.advanceTimersByTime(10_000);
    expect(text(written)).toBe(':\n:\n');
  });

  it('stops when the body refuses the write (closed)', () => {
    const write = vi.fn(() => {
      throw new TypeError('closed');
    });
    const deadlines = new Deadlines<object>(100);
    const probe = new QuietProbe(deadlines, write, 1);
    probe.waiting();
    vi.advanceTimersByTime(5000);
    expect(write).toHaveBeenCalledTimes(1);
    expect(deadlines.size).toBe(0);
  });

  it('probes only an uncompressed event stream of unknown length', () => {
    const sse = new Headers({ 'content-type': 'text/event-stream; charset=utf-8' });
    expect(probeable(sse, undefined)).toBe(true);
    expect(probeable(sse, 100)).toBe(false);
    expect(probeable(new Headers({ 'content-type': 'text/event-stream', 'content-encoding': 'gzip' }), undefined)).toBe(
      false,
    );
    expect(probeable(new Headers({ 'content-type': 'text/plain' }), undefined)).toBe(false);
  });
});
