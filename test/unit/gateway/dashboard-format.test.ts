/** The dashboard's times in the viewer's zone (assets/dashboard-format.js, run here as the browser runs it). */
import { readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';

const script = readFileSync(new URL('../../../gateway/pages/assets/dashboard-format.js', import.meta.url), 'utf8');
const { localTime } = runInNewContext(`${script}\n;({ localTime })`) as {
  localTime(iso: string, options?: { locale?: string; timeZone?: string }): string;
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
