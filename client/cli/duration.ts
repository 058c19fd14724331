/**
 * The one parser for every duration option of the CLI (`--ttl`, `--timeout`, …): `500ms`, `90s`,
 * `10m`, `1h`, `7d`, combinations written largest first (`1h30m`, `1d12h`), decimals (`1.5h`), and a
 * bare number, which is seconds (what these options took before units existed). Problems are said
 * in the user's own units: `--ttl 90d is longer than a reviewer link may live (30d)`.
 */

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
const ORDER: Unit[] = ['d', 'h', 'm', 's', 'ms'];

const EXAMPLES = '90s, 10m, 1h30m, 7d';

/**
 * Milliseconds for `text`, or null when it is not a duration. Accepts `<number><unit>` parts with
 * units d, h, m, s, ms, each at most once and largest first, or a bare number of seconds;
 * surrounding spaces are ignored. Never negative.
 */
export function durationMs(text: string): number | null {
  const trimmed = text.trim();
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|d|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) return null;
  let total = 0;
  let last = -1;
  for (const [, amount, unit] of parts) {
    const rank = ORDER.indexOf(unit as Unit);
    if (rank <= last) return null; // `10m1h`, `5s5s`: a typo, not a sum.
    last = rank;
    total += Number(amount) * UNIT_MS[unit as Unit];
  }
  return total;
}

/** `ms` written the way a person would (`24h`, `1h30m`, `90s`, `500ms`); whole units, largest first. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let left = Math.round(ms);
  let text = '';
  for (const unit of ORDER) {
    const size = UNIT_MS[unit];
    const count = Math.floor(left / size);
    if (count > 0) {
      text += `${count}${unit}`;
      left -= count * size;
    }
  }
  return text;
}

/** What a duration option may be, in milliseconds, and what the limit is about (for the message). */
export interface DurationBounds {
  /** Inclusive lower bound in milliseconds. */
  min: number;
  /** Inclusive upper bound in milliseconds. */
  max: number;
  /** Completes "… is longer than <subject> (30d)", e.g. `a reviewer link may live`. */
  subject: string;
}

/**
 * The option `what` (e.g. `--ttl`) given as `text`, in milliseconds; on a problem, pushes it onto
 * `problems` (a usage error, exit 2) and returns 0.
 */
export function parseDuration(text: string, what: string, problems: string[], bounds?: DurationBounds): number {
  const ms = durationMs(text);
  if (ms === null) {
    problems.push(`${what}: '${text}' is not a duration (e.g. ${EXAMPLES}; a bare number is seconds)`);
    return 0;
  }
  if (bounds && ms > bounds.max) {
    problems.push(`${what} ${text.trim()} is longer than ${bounds.subject} (${formatDuration(bounds.max)})`);
    return 0;
  }
  if (bounds && ms < bounds.min) {
    problems.push(`${what} ${text.trim()} is shorter than ${bounds.subject} (at least ${formatDuration(bounds.min)})`);
    return 0;
  }
  return ms;
}

/** A gateway's bounds in seconds (protocol/api.ts), as DurationBounds. */
export function secondsBounds(bounds: { min: number; max: number }, subject: string): DurationBounds {
  return { min: bounds.min * 1000, max: bounds.max * 1000, subject };
}

/** An optional duration option in whole seconds, for an API that takes seconds; undefined when not given. */
export function seconds(
  text: string | undefined,
  what: string,
  problems: string[],
  bounds?: DurationBounds,
): number | undefined {
  if (text === undefined) return undefined;
  return Math.round(parseDuration(text, what, problems, bounds) / 1000);
}
