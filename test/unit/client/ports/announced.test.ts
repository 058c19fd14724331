import { describe, expect, it } from 'vitest';
import type { PortView } from '../../../../client/events';
import { diffPortTables } from '../../../../client/ports/announced';

const view = (port: number, more: Partial<PortView> = {}): PortView => ({
  port,
  url: `http://${port}-s-sig.porthole.localhost:8787/`,
  visibility: 'private',
  firstSeen: '2026-11-30T12:00:00.000Z',
  source: 'watched',
  ...more,
});
const table = (...views: PortView[]) => new Map(views.map((v) => [v.port, v]));

describe('diffPortTables', () => {
  it('nothing for an unchanged table', () => {
    expect(diffPortTables(table(view(3000)), table(view(3000)))).toEqual([]);
  });

  it('closes first, then opens and shares in the order of the new table', () => {
    const before = table(view(3000, { process: 'node' }), view(4000), view(5000));
    const next = table(view(5000, { visibility: 'public' }), view(6000, { process: 'vite' }), view(4000));
    expect(diffPortTables(before, next)).toEqual([
      { event: 'port.close', port: 3000, process: 'node' },
      { event: 'port.share', ...view(5000, { visibility: 'public' }) },
      { event: 'port.open', ...view(6000, { process: 'vite' }) },
    ]);
  });

  it('a new process or URL on a port is a new open, whatever its visibility did', () => {
    const before = table(view(3000, { process: 'node' }), view(4000));
    const next = table(
      view(3000, { process: 'bun', visibility: 'link' }),
      view(4000, { url: 'http://4000-s-new.porthole.localhost:8787/' }),
    );
    expect(diffPortTables(before, next).map((e) => e.event)).toEqual(['port.open', 'port.open']);
  });

  it('a new label is a new open', () => {
    const next = table(view(3000, { label: 'Web app' }));
    expect(diffPortTables(table(view(3000)), next)).toEqual([
      { event: 'port.open', ...view(3000, { label: 'Web app' }) },
    ]);
  });

  it('a close without a known process names none', () => {
    expect(diffPortTables(table(view(3000)), table())).toEqual([{ event: 'port.close', port: 3000 }]);
  });
});
