/**
 * Which listening ports get a URL. Rules are port numbers, ranges (9000-9100)
 * or process names (sshd). Test runners bind many short-lived ports, mostly
 * from the kernel's ephemeral range (port 0 → 32768-60999 on Linux): those are
 * not announced unless asked for, so real dev servers (3000, 5173, 8000 …)
 * appear at once and a test run does not flood the port list.
 */
import { readFileSync } from 'node:fs';
import { debuglog } from 'node:util';
import { isPort } from '../../protocol';

const log = debuglog('porthole');

export interface PortRules {
  ports: Set<number>;
  ranges: [number, number][];
  names: Set<string>;
}

export interface FilterOptions {
  /** Rules never to announce (added to DEFAULT_IGNORE); default none. */
  ignore?: string[];
  /** Rules to announce exclusively, ephemeral ports included (still minus `ignore`); default: every port. */
  only?: string[];
  /** Announce ports from the ephemeral range too (default false). */
  ephemeral?: boolean;
  /** The ephemeral range [low, high], inclusive (default: the kernel's, see kernelEphemeralRange). */
  ephemeralRange?: [number, number];
}

/** Obviously private services: never worth a public URL. */
export const DEFAULT_IGNORE = [
  '22',
  'sshd',
  'systemd-resolve',
  'systemd-resolved',
  'rpcbind',
  'dnsmasq',
  'cupsd',
  'containerd',
  'dockerd',
  'exim4',
];

export class RuleError extends Error {
  override readonly name = 'RuleError';
}

/** Parse rules like ["22", "5432,6379", "9000-9100", "postgres"]; collects every bad entry. */
export function parseRules(entries: string[]): PortRules {
  const rules: PortRules = { ports: new Set(), ranges: [], names: new Set() };
  const problems: string[] = [];
  for (const item of entries
    .flatMap((e) => e.split(','))
    .map((e) => e.trim())
    .filter(Boolean)) {
    const range = /^(\d+)-(\d+)$/.exec(item);
    if (range) {
      const [low, high] = [Number(range[1]), Number(range[2])];
      if (!isPort(low) || !isPort(high) || low > high) problems.push(`'${item}' is not a port range within 1-65535`);
      else rules.ranges.push([low, high]);
    } else if (/^\d+$/.test(item)) {
      const port = Number(item);
      if (!isPort(port)) problems.push(`'${item}' is not a port number (1-65535)`);
      else rules.ports.add(port);
    } else if (/^[\w.@+-]{1,64}$/.test(item)) {
      rules.names.add(item);
    } else {
      problems.push(`'${item}' is neither a port, a range nor a process name`);
    }
  }
  if (problems.length > 0) throw new RuleError(problems.join('; '));
  return rules;
}

export function matches(rules: PortRules, port: number, name: string | undefined): boolean {
  if (rules.ports.has(port)) return true;
  if (rules.ranges.some(([low, high]) => port >= low && port <= high)) return true;
  return name !== undefined && rules.names.has(name);
}

/** The kernel's ephemeral port range [low, high], inclusive; Linux's default (32768–60999) when it cannot be read. */
export function kernelEphemeralRange(path = '/proc/sys/net/ipv4/ip_local_port_range'): [number, number] {
  try {
    const [low, high] = readFileSync(path, 'utf8').trim().split(/\s+/).map(Number);
    if (low && high) return [low, high];
    log('%s does not hold a port range', path);
  } catch (error) {
    log('no ephemeral port range (%s), using 32768-60999', (error as Error).message);
  }
  return [32768, 60999];
}

/** Which listening ports get a URL. Throws a RuleError (every bad rule listed) for rules it cannot read. */
export class PortFilter {
  readonly #ignore: PortRules;
  readonly #defaults = parseRules(DEFAULT_IGNORE);
  readonly #userIgnore: PortRules;
  readonly #only: PortRules | null;
  readonly #ephemeral: boolean;
  readonly #range: [number, number];

  constructor(options: FilterOptions = {}) {
    this.#ignore = parseRules([...DEFAULT_IGNORE, ...(options.ignore ?? [])]);
    this.#userIgnore = parseRules(options.ignore ?? []);
    this.#only = options.only && options.only.length > 0 ? parseRules(options.only) : null;
    this.#ephemeral = options.ephemeral ?? false;
    this.#range = options.ephemeralRange ?? kernelEphemeralRange();
  }

  /** Why a port is not announced, or null when it is. */
  reject(port: number, name: string | undefined): string | null {
    if (matches(this.#ignore, port, name)) return 'ignored';
    if (this.#only) return matches(this.#only, port, name) ? null : 'not in --only';
    if (!this.#ephemeral && port >= this.#range[0] && port <= this.#range[1]) return 'ephemeral';
    return null;
  }

  /**
   * Why a port is not announced, for a person (`porthole wait`, the control API), e.g. "it is in the
   * kernel's ephemeral range (32768-60999), which is left out unless --ephemeral"; null when it is
   * announced, or may be once a process (`name` undefined: none known) listens on it.
   */
  explain(port: number, name: string | undefined): string | null {
    const reason = this.reject(port, name);
    if (reason === null) return null;
    // With no process known (nothing listens yet), a process-name rule may still take it once one does.
    if (reason === 'not in --only')
      return name === undefined && this.#only?.names.size ? null : 'no --only rule names it';
    if (reason === 'ephemeral') {
      const [low, high] = this.#range;
      return `it is in the kernel's ephemeral range (${low}-${high}), which is left out unless --ephemeral`;
    }
    if (matches(this.#userIgnore, port, name)) return 'an --ignore rule names it';
    if (matches(this.#defaults, port, name)) return 'it is a private service, left out by default (port 22, sshd …)';
    return 'an --ignore rule names it';
  }

  allows(port: number, name: string | undefined): boolean {
    return this.reject(port, name) === null;
  }
}
