import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelEphemeralRange, matches, PortFilter, parseRules, RuleError } from '../../../../client/ports/filters';

describe('parseRules', () => {
  it('reads ports, ranges and process names, comma lists included', () => {
    const rules = parseRules(['22', '5432,6379', ' 9000-9100 ', 'postgres', 'node@18']);
    expect(rules.ports).toEqual(new Set([22, 5432, 6379]));
    expect(rules.ranges).toEqual([[9000, 9100]]);
    expect(rules.names).toEqual(new Set(['postgres', 'node@18']));
  });

  it('lists every bad entry in one RuleError', () => {
    expect(() => parseRules(['0', '70000', '9100-9000', '1-70000', 'no spaces', 'ok'])).toThrow(
      new RuleError(
        "'0' is not a port number (1-65535); '70000' is not a port number (1-65535); " +
          "'9100-9000' is not a port range within 1-65535; '1-70000' is not a port range within 1-65535; " +
          "'no spaces' is neither a port, a range nor a process name",
      ),
    );
  });
});

describe('matches', () => {
  const rules = parseRules(['22', '9000-9100', 'sshd']);
  it('matches a port, a range (ends included) or the process name', () => {
    expect(matches(rules, 22, undefined)).toBe(true);
    expect(matches(rules, 9000, undefined)).toBe(true);
    expect(matches(rules, 9100, 'node')).toBe(true);
    expect(matches(rules, 2222, 'sshd')).toBe(true);
    expect(matches(rules, 9101, 'node')).toBe(false);
    expect(matches(rules, 3000, undefined)).toBe(false);
  });
});

describe('PortFilter', () => {
  const range: [number, number] = [32768, 60999];

  it('by default: announces dev servers, ignores the built-in list and the ephemeral range', () => {
    const filter = new PortFilter({ ephemeralRange: range });
    expect(filter.reject(3000, 'node')).toBeNull();
    expect(filter.reject(5173, undefined)).toBeNull();
    expect(filter.reject(22, undefined)).toBe('ignored');
    expect(filter.reject(2222, 'sshd')).toBe('ignored');
    expect(filter.reject(32768, 'node')).toBe('ephemeral');
    expect(filter.reject(60999, 'node')).toBe('ephemeral');
    expect(filter.reject(61000, 'node')).toBeNull();
  });

  it('--ephemeral announces the ephemeral range; --ignore still wins', () => {
    const filter = new PortFilter({ ephemeral: true, ignore: ['40000'], ephemeralRange: range });
    expect(filter.allows(45000, 'node')).toBe(true);
    expect(filter.reject(40000, 'node')).toBe('ignored');
  });

  it('--only announces only its rules (ephemeral ones included), minus --ignore', () => {
    const filter = new PortFilter({ only: ['3000-3999', 'vite'], ignore: ['3306'], ephemeralRange: range });
    expect(filter.reject(3000, undefined)).toBeNull();
    expect(filter.reject(45000, 'vite')).toBeNull();
    expect(filter.reject(3306, 'mysqld')).toBe('ignored');
    expect(filter.reject(8000, 'python3')).toBe('not in --only');
  });

  it('explains for a person why a port is left out', () => {
    const filter = new PortFilter({ ignore: ['5432'], ephemeralRange: range });
    expect(filter.explain(3000, 'node')).toBeNull();
    expect(filter.explain(40123, undefined)).toBe(
      "it is in the kernel's ephemeral range (32768-60999), which is left out unless --ephemeral",
    );
    expect(filter.explain(5432, 'postgres')).toBe('an --ignore rule names it');
    expect(filter.explain(22, undefined)).toBe('it is a private service, left out by default (port 22, sshd …)');
    expect(filter.explain(2222, 'sshd')).toMatch(/private service/);
    expect(new PortFilter({ only: ['3000'], ephemeralRange: range }).explain(8000, undefined)).toBe(
      'no --only rule names it',
    );
    // A process-name rule may take the port once its process listens.
    const byName = new PortFilter({ only: ['vite'], ephemeralRange: range });
    expect(byName.explain(5173, undefined)).toBeNull();
    expect(byName.explain(5173, 'node')).toBe('no --only rule names it');
  });
});

describe('kernelEphemeralRange', () => {
  it("reads the kernel's range, and falls back to Linux's default when it cannot", () => {
    const dir = mkdtempSync(join(tmpdir(), 'porthole-range-'));
    try {
      const file = join(dir, 'ip_local_port_range');
      writeFileSync(file, '20000\t29999\n');
      expect(kernelEphemeralRange(file)).toEqual([20000, 29999]);
      expect(kernelEphemeralRange(join(dir, 'missing'))).toEqual([32768, 60999]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
