import { describe, expect, it } from 'vitest';
import { ExposedPorts } from '../../../../client/ports/exposed';

describe('ExposedPorts', () => {
  it('lists static and watched ports ascending, with process names and the visibility rules', () => {
    const exposed = new ExposedPorts([8000, 3000], (port) => (port === 8000 ? 'public' : undefined));
    exposed.change([{ port: 5173, process: 'vite', pid: 10 }, { port: 4000 }], []);
    expect(exposed.list()).toEqual([
      { port: 3000 },
      { port: 4000 },
      { port: 5173, process: 'vite' },
      { port: 8000, visibility: 'public' },
    ]);
    expect([3000, 4000, 5173, 8000, 22].map((p) => exposed.has(p))).toEqual([true, true, true, true, false]);
  });

  it('names the process of a static port once the watcher sees it', () => {
    const exposed = new ExposedPorts([3000]);
    const change = exposed.change([{ port: 3000, process: 'node', pid: 7 }], []);
    expect(change).toEqual({ opened: [{ port: 3000, process: 'node' }], closed: [], vanished: [] });
    expect(exposed.list()).toEqual([{ port: 3000, process: 'node' }]);
  });

  it('a static port stays exposed when its server stops; a watched one goes', () => {
    const exposed = new ExposedPorts([3000]);
    exposed.change(
      [
        { port: 3000, process: 'node' },
        { port: 5173, process: 'vite' },
      ],
      [],
    );
    const change = exposed.change([], [3000, 5173]);
    expect(change).toEqual({ opened: [], closed: [5173], vanished: [5173] });
    expect(exposed.list()).toEqual([{ port: 3000 }]);
    expect(exposed.has(5173)).toBe(false);
  });

  it('a port re-bound by another process between scans is closed and opened, but never vanishes', () => {
    const exposed = new ExposedPorts([], () => 'link');
    exposed.change([{ port: 5173, process: 'vite' }], []);
    const change = exposed.change([{ port: 5173, process: 'node' }], [5173]);
    expect(change).toEqual({
      opened: [{ port: 5173, process: 'node', visibility: 'link' }],
      closed: [5173],
      vanished: [],
    });
  });

  it('exposes any port at runtime, listening or not, with its label and visibility, until unexposed', () => {
    const exposed = new ExposedPorts([]);
    expect(exposed.expose(40123, { label: 'Fixture', visibility: 'public', source: 'expose' })).toEqual({
      opened: [{ port: 40123, visibility: 'public', label: 'Fixture' }],
      closed: [],
      vanished: [],
    });
    expect(exposed.source(40123)).toBe('expose');
    // The watcher reporting it too changes only its process name.
    expect(exposed.change([{ port: 40123, process: 'node' }], []).opened).toEqual([
      { port: 40123, process: 'node', visibility: 'public', label: 'Fixture' },
    ]);
    expect(exposed.source(40123)).toBe('expose');
    // Its server stopping leaves it exposed.
    expect(exposed.change([], [40123])).toEqual({ opened: [], closed: [], vanished: [] });
    expect(exposed.unexpose(40123)).toEqual({ opened: [], closed: [40123], vanished: [40123] });
    expect(exposed.has(40123)).toBe(false);
    expect(exposed.unexpose(40123)).toBeNull();
  });

  it('an unexposed watched or flag port stays out while it listens, until exposed again', () => {
    const exposed = new ExposedPorts([8000]);
    exposed.change([{ port: 3000, process: 'node' }], []);
    expect(exposed.unexpose(3000)?.closed).toEqual([3000]);
    expect(exposed.unexpose(8000)?.closed).toEqual([8000]);
    // Re-bound, it is still out.
    expect(exposed.change([{ port: 3000, process: 'vite' }], [3000])).toEqual({ opened: [], closed: [], vanished: [] });
    expect(exposed.heldOut(3000)).toBe('unexposed');
    // Settings cannot lift the user's unexpose; the user can.
    expect(exposed.expose(3000, { source: 'settings' }).opened).toEqual([]);
    expect(exposed.expose(3000, { source: 'expose' }).opened).toEqual([{ port: 3000, process: 'vite' }]);
    expect(exposed.source(3000)).toBe('expose');
    expect(exposed.list().map((p) => p.port)).toEqual([3000]);
  });

  it('port rules label watched ports, keep ignored ones out, and re-announce what they change', () => {
    const exposed = new ExposedPorts([], (port) => (port === 3000 ? 'link' : undefined));
    exposed.change([{ port: 3000 }, { port: 5432, process: 'postgres' }, { port: 9000 }], []);
    const change = exposed.setRules((port) =>
      port === 5432 ? { ignore: true } : port === 3000 ? { label: 'Web', visibility: 'public' } : undefined,
    );
    // The --visibility flag wins over the rule's visibility.
    expect(change).toEqual({
      opened: [{ port: 3000, visibility: 'link', label: 'Web' }],
      closed: [5432],
      vanished: [5432],
    });
    expect(exposed.heldOut(5432)).toBe('ignored by a port rule');
    // An explicit expose wins over an ignore rule, and its label over the rule's.
    exposed.expose(5432, { label: 'DB', source: 'expose' });
    expect(exposed.list()).toContainEqual({ port: 5432, process: 'postgres', label: 'DB' });
    // Rules dropped: the ignored port is back only if nothing held it out, labels go.
    expect(exposed.setRules(undefined).opened).toEqual([{ port: 3000, visibility: 'link' }]);
  });

  it("names a port's source: expose over flag over settings over watched", () => {
    const exposed = new ExposedPorts([8000]);
    exposed.expose(8000, { label: 'Flag and settings', source: 'settings' });
    expect(exposed.source(8000)).toBe('flag');
    expect(exposed.list()).toEqual([{ port: 8000, label: 'Flag and settings' }]);
    exposed.expose(8000, { source: 'expose' });
    expect(exposed.source(8000)).toBe('expose');
    exposed.change([{ port: 3000 }], []);
    exposed.expose(3000, { source: 'settings' });
    expect(exposed.source(3000)).toBe('settings');
  });

  it('a settings exposure is withdrawn by the settings without holding the port out', () => {
    const exposed = new ExposedPorts([]);
    exposed.expose(4000, { label: 'Docs', source: 'settings' });
    expect(exposed.source(4000)).toBe('settings');
    expect(exposed.unexpose(4000, { source: 'settings' })?.closed).toEqual([4000]);
    expect(exposed.heldOut(4000)).toBeUndefined();
    exposed.change([{ port: 4000 }], []);
    expect(exposed.source(4000)).toBe('watched');
  });
});
