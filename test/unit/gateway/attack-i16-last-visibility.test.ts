/**
 * ATTACK (issue 16): the remembered visibilities (session/last-visibility.ts) are one storage value
 * of up to MAX_REMEMBERED ports, rewritten whenever a link or public port's visibility changes. A
 * client that filled it (open link ports, close them, open others) and then flips one port between
 * link and public makes every cheap PORTS frame rewrite the whole map. The control rate must pay
 * for that write as it pays for the port table's (control-rate.ts), so such a client is closed
 * with 1008 after a few flips instead of writing ~1024 entries per frame at will.
 */
import { describe, expect, it } from 'vitest';
import type { Visibility } from '../../../protocol';
import { LastVisibility, MAX_REMEMBERED } from '../../../gateway/session/last-visibility';
import { type ControlledTunnel, PortControl } from '../../../gateway/session/port-control';
import { PortTable, type PortStorage, type StoredPort } from '../../../gateway/session/port-table';

function memory(): PortStorage & { puts: Map<string, number> } {
  const map = new Map<string, unknown>();
  const puts = new Map<string, number>();
  return {
    puts,
    async get<T>(key: string) {
      return structuredClone(map.get(key)) as T | undefined;
    },
    async put<T>(key: string, value: T) {
      puts.set(key, (puts.get(key) ?? 0) + 1);
      map.set(key, structuredClone(value));
    },
  };
}

const ports = (from: number, count: number, visibility: Visibility) =>
  Array.from({ length: count }, (_, i) => ({ port: from + i, visibility }));

describe('ATTACK: a client flipping one port to rewrite the remembered visibilities', () => {
  it('is closed by the control rate within a few flips once the map is full', async () => {
    const storage = memory();
    const table = new PortTable(storage);
    const last = new LastVisibility(storage);
    // The map is full of ports that were link once and are closed now.
    const closed: StoredPort[] = ports(20_000, MAX_REMEMBERED, 'link').map((p) => ({ ...p, firstSeen: 'then' }));
    await last.record(closed);
    const drops: { code: number; reason: string }[] = [];
    let dropped = false;
    const tunnel = {} as ControlledTunnel;
    const control = new PortControl({
      session: 'attacker',
      ports: table,
      tunnel: {
        drop: (_: ControlledTunnel, code: number, reason: string) => {
          dropped = true;
          drops.push({ code, reason });
        },
        current: () => null,
      },
      maxPorts: () => 1024,
      views: () => ({ portEntries: async () => [] }),
      remember: () => last.remember(table),
      onChange: () => {},
    });
    storage.puts.clear();
    let flips = 0;
    for (; flips < 200 && !dropped; flips++) {
      const visibility: Visibility = flips % 2 ? 'link' : 'public';
      await control.frame(tunnel, {
        type: 'PORTS',
        stream: 0,
        body: { opened: [{ port: 3000, visibility }], closed: [] },
      });
    }
    expect(drops[0]?.code).toBe(1008);
    // A whole map is written per flip: the burst (4 full tables listed and written) pays for few.
    expect(flips).toBeLessThan(20);
    expect(storage.puts.get('last-visibility') ?? 0).toBeLessThan(20);
  });
});
