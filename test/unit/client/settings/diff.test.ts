import { describe, expect, it } from 'vitest';
import { describeAction, diffSettings } from '../../../../client/settings/diff';
import { emptySettings, type Settings } from '../../../../client/settings/types';

function settings(extra: Partial<Settings>): Settings {
  return { ...emptySettings(), ...extra };
}

describe('diffSettings', () => {
  it('does nothing when nothing changed', () => {
    const a = settings({ forwardPorts: [3000], ignore: ['22'] });
    expect(diffSettings(a, settings({ forwardPorts: [3000], ignore: ['22'] }))).toEqual([]);
  });

  it('exposes new forwardPorts with their label and visibility, unexposes removed ones', () => {
    const before = settings({ forwardPorts: [3000, 4000] });
    const after = settings({
      forwardPorts: [3000, 5000],
      portsAttributes: [{ match: { kind: 'port', port: 5000 }, attributes: { label: 'Docs' } }],
      visibility: [{ match: { kind: 'port', port: 5000 }, visibility: 'public' }],
    });
    expect(diffSettings(before, after)).toEqual([
      { kind: 'unexpose', port: 4000 },
      { kind: 'expose', port: 5000, label: 'Docs', visibility: 'public' },
      { kind: 'rules' },
    ]);
  });

  it('exposes a forwarded port again when its label changes, and sets the rules again', () => {
    const label = (text: string) =>
      settings({
        forwardPorts: [3000],
        portsAttributes: [{ match: { kind: 'port', port: 3000 }, attributes: { label: text } }],
      });
    expect(diffSettings(label('App'), label('Web'))).toEqual([
      { kind: 'expose', port: 3000, label: 'Web' },
      { kind: 'rules' },
    ]);
  });

  it('sets the rules again for a watched port relabelled, an ignore rule or onAutoForward', () => {
    const before = settings({ portsAttributes: [{ match: { kind: 'port', port: 8000 }, attributes: { label: 'A' } }] });
    const after = settings({ portsAttributes: [{ match: { kind: 'port', port: 8000 }, attributes: { label: 'B' } }] });
    expect(diffSettings(before, after)).toEqual([{ kind: 'rules' }]);
    expect(diffSettings(emptySettings(), settings({ ignore: ['9000'] }))).toEqual([{ kind: 'rules' }]);
    expect(diffSettings(emptySettings(), settings({ otherPortsAttributes: { onAutoForward: 'silent' } }))).toEqual([
      { kind: 'rules' },
    ]);
  });

  it('reports a preserveHost change', () => {
    expect(diffSettings(emptySettings(), settings({ preserveHost: 'all' }))).toEqual([
      { kind: 'preserveHost', ports: 'all' },
    ]);
  });

  it('describes actions in a few words', () => {
    expect(
      [
        { kind: 'expose', port: 3000, label: 'App' },
        { kind: 'unexpose', port: 4000 },
        { kind: 'rules' },
        { kind: 'preserveHost', ports: [] },
      ].map((a) => describeAction(a as Parameters<typeof describeAction>[0])),
    ).toEqual(['expose 3000 (App)', 'unexpose 4000', 'port rules', 'preserve host: none']);
  });
});
