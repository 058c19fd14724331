import { describe, expect, it } from 'vitest';
import { parseKey } from '../../../../client/settings/matchers';
import { portRules } from '../../../../client/settings/rules';
import { emptySettings, type PortMatcher, type Settings } from '../../../../client/settings/types';

const key = (text: string): PortMatcher => {
  const parsed = parseKey(text);
  if (!('matcher' in parsed)) throw new Error(text);
  return parsed.matcher;
};

function settings(extra: Partial<Settings>): Settings {
  return { ...emptySettings(), ...extra };
}

describe('portRules', () => {
  const rules = portRules(
    settings({
      portsAttributes: [
        { match: key('3000-3999'), attributes: { label: 'Range', onAutoForward: 'silent' } },
        { match: key('3000'), attributes: { label: 'App' } },
        { match: key('server\\.js'), attributes: { label: 'Server', protocol: 'https' } },
      ],
      otherPortsAttributes: { onAutoForward: 'ignore', label: 'Other' },
      defaultVisibility: 'link',
      visibility: [
        { match: key('3000-3999'), visibility: 'private' },
        { match: key('3000'), visibility: 'public' },
      ],
      ignore: ['5432', 'postgres'],
    }),
  );

  it('lets an exact port key win, then the first matching range or regex', () => {
    expect(rules(3000)).toEqual({ label: 'App', onAutoForward: 'silent', visibility: 'public', ignore: false });
    expect(rules(3500)).toEqual({ label: 'Range', onAutoForward: 'silent', visibility: 'private', ignore: false });
  });

  it('tests regular-expression keys against the process name', () => {
    expect(rules(7000, { name: 'server.js' })).toMatchObject({ label: 'Server', protocol: 'https' });
    expect(rules(7000, { name: 'node' })).toEqual({
      label: 'Other',
      onAutoForward: 'ignore',
      visibility: 'link',
      ignore: true,
    });
    expect(rules(7000)).toMatchObject({ label: 'Other' });
  });

  it('gives otherPortsAttributes to a port no key matches; ignore hides it', () => {
    expect(rules(8000)).toEqual({ label: 'Other', onAutoForward: 'ignore', visibility: 'link', ignore: true });
  });

  it('ignores the porthole.json ignore rules, by port or process name', () => {
    const plain = portRules(settings({ ignore: ['5432', 'postgres'] }));
    expect(plain(5432).ignore).toBe(true);
    expect(plain(6000, { name: 'postgres' }).ignore).toBe(true);
    expect(plain(6000, { name: 'node' })).toEqual({ onAutoForward: 'notify', ignore: false });
  });
});
