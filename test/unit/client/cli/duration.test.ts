import { describe, expect, it } from 'vitest';
import { durationMs, formatDuration, parseDuration, seconds } from '../../../../client/cli/duration';

describe('durationMs', () => {
  it('reads ms, s, m, h, d, combinations largest first, decimals, and bare seconds', () => {
    const cases: [string, number][] = [
      ['500ms', 500],
      ['90s', 90_000],
      ['90', 90_000],
      ['1.5s', 1500],
      ['10m', 600_000],
      ['1h', 3_600_000],
      ['7d', 604_800_000],
      ['1h30m', 5_400_000],
      ['1d12h', 129_600_000],
      ['2m30s500ms', 150_500],
      [' 10m ', 600_000],
      ['1.5h', 5_400_000],
    ];
    for (const [text, ms] of cases) expect(durationMs(text), text).toBe(ms);
  });

  it('refuses anything else, including units out of order or repeated', () => {
    for (const text of ['', '-5s', '10 m', '1w', 's', '1e3', '.5s', '10m1h', '5s5s', '1h 30m', '30sec', 'ms'])
      expect(durationMs(text), text).toBeNull();
  });
});

describe('formatDuration', () => {
  it('writes whole units, largest first', () => {
    expect([86_400_000, 2_592_000_000, 60_000, 5_400_000, 90_000, 500, 0].map(formatDuration)).toEqual([
      '1d',
      '30d',
      '1m',
      '1h30m',
      '1m30s',
      '500ms',
      '0s',
    ]);
  });
});

describe('parseDuration', () => {
  const bounds = { min: 60_000, max: 86_400_000, subject: 'a one-time link may wait' };
  const run = (text: string) => {
    const problems: string[] = [];
    const ms = parseDuration(text, '--ttl', problems, bounds);
    return problems.length > 0 ? problems : ms;
  };

  it('says what is wrong in the user’s own units', () => {
    expect(run('90d')).toEqual(['--ttl 90d is longer than a one-time link may wait (1d)']);
    expect(run('30s')).toEqual(['--ttl 30s is shorter than a one-time link may wait (at least 1m)']);
    expect(run('soon')).toEqual([
      "--ttl: 'soon' is not a duration (e.g. 90s, 10m, 1h30m, 7d; a bare number is seconds)",
    ]);
    expect(run('24h')).toBe(86_400_000);
    expect(run('60')).toBe(60_000);
  });

  it('gives whole seconds for APIs in seconds, undefined when the option is absent', () => {
    const problems: string[] = [];
    expect(seconds('1h30m', '--ttl', problems)).toBe(5400);
    expect(seconds(undefined, '--ttl', problems)).toBeUndefined();
    expect(problems).toEqual([]);
  });
});
