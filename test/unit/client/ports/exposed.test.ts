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
});
