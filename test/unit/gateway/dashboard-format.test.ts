/** The dashboard's times in the viewer's zone (assets/dashboard-format.js, run here as the browser runs it). */
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';

const script = readFileSync(new URL('../../../gateway/pages/assets/dashboard-format.js', import.meta.url), 'utf8');
const { localTime, formatBytes, viewerText, statusText, rowTime } = runInNewContext(
  `${script}\n;({ localTime, formatBytes, viewerText, statusText, rowTime })`,
) as {
  localTime(iso: string, options?: { locale?: string; timeZone?: string }): string;
  formatBytes(bytes: number): string;
  viewerText(viewer: { kind: string; link?: string }, label?: string): string;
  statusText(summary: { status: number | null; error?: { code: string } }): string;
  rowTime(iso: string, options?: { locale?: string; timeZone?: string }): string;
};

describe('localTime', () => {
  it('shows the instant in the given zone, naming the zone', () => {
    const text = localTime('2026-12-01T05:30:00.000Z', { locale: 'en-GB', timeZone: 'Asia/Tokyo' });
    expect(text).toContain('14:30');
    expect(text).toContain('GMT+9');
    expect(text).toContain('1 Dec 2026');
  });

  it('crosses the date line with the zone', () => {
    const text = localTime('2026-12-01T05:30:00.000Z', { locale: 'en-US', timeZone: 'America/Los_Angeles' });
    expect(text).toContain('Nov 30, 2026');
    expect(text).toContain('09:30 PM');
    expect(text).toContain('PST');
  });

  it('in UTC says so', () => {
    expect(localTime('2026-12-01T05:30:00.000Z', { locale: 'en-GB', timeZone: 'UTC' })).toContain('UTC');
  });

  it('leaves a text that is no date as it is', () => {
    expect(localTime('soon')).toBe('soon');
  });
});

describe('the requests panel’s cells', () => {
  it('formatBytes: bytes, then binary units', () => {
    expect([0, 512, 1536, 10 * 1024, 5 * 1024 * 1024 + 1].map(formatBytes)).toEqual([
      '0 B',
      '512 B',
      '1.5 KiB',
      '10 KiB',
      '5.0 MiB',
    ]);
  });

  it('viewerText: owner, link by label or id, public', () => {
    expect(viewerText({ kind: 'owner' })).toBe('owner');
    expect(viewerText({ kind: 'link', link: 'abc' })).toBe('link abc');
    expect(viewerText({ kind: 'link', link: 'abc' }, 'Reviewer')).toBe('link Reviewer');
    expect(viewerText({ kind: 'public' })).toBe('public');
  });

  it('statusText: the status, the error code when Porthole answered, … before the head', () => {
    expect(statusText({ status: 200 })).toBe('200');
    expect(statusText({ status: null })).toBe('…');
    expect(statusText({ status: 502, error: { code: 'origin_unreachable' } })).toBe('502 origin_unreachable');
    expect(statusText({ status: null, error: { code: 'viewer_left' } })).toBe('viewer_left');
  });

  it('rowTime: to the second in the zone', () => {
    expect(rowTime('2026-12-01T05:30:07.000Z', { locale: 'en-GB', timeZone: 'Asia/Tokyo' })).toBe('14:30:07');
    expect(rowTime('nope')).toBe('nope');
  });
});
