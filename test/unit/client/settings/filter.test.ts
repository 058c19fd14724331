import { describe, expect, it } from 'vitest';
import { PortFilter } from '../../../../client/ports/filters';
import { SettingsFilter } from '../../../../client/settings/filter';
import { portRules } from '../../../../client/settings/rules';
import { emptySettings, type Settings } from '../../../../client/settings/types';

describe('SettingsFilter', () => {
  it('leaves out what the settings ignore, by port, process name or regex key, then asks the flags', () => {
    let settings: Settings = {
      ...emptySettings(),
      portsAttributes: [
        { match: { kind: 'regex', source: '^redis', regex: /^redis/ }, attributes: { onAutoForward: 'ignore' } },
      ],
      ignore: ['5432', 'postgres'],
    };
    const filter = new SettingsFilter(
      new PortFilter({ ignore: ['9000'], ephemeralRange: [32768, 60999] }),
      (port, process) => portRules(settings)(port, process),
    );
    expect(filter.reject(5432, 'node')).toBe('ignored by the settings');
    expect(filter.reject(6000, 'postgres')).toBe('ignored by the settings');
    expect(filter.reject(6379, 'redis-server')).toBe('ignored by the settings');
    expect(filter.reject(9000, 'node')).toBe('ignored');
    expect(filter.reject(40000, 'node')).toBe('ephemeral');
    expect(filter.allows(3000, 'node')).toBe(true);
    // Explained with the flags' own ephemeral range, and the settings named when they are the reason.
    expect(filter.explain(40000, 'node')).toBe(
      "it is in the kernel's ephemeral range (32768-60999), which is left out unless --ephemeral",
    );
    expect(filter.explain(5432, 'node')).toMatch(/repository's settings ignore it/);
    // The settings are read on every call: a reload applies at the next scan.
    settings = emptySettings();
    expect(filter.allows(5432, 'node')).toBe(true);
  });
});
