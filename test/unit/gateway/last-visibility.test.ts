/**
 * The link/public visibility a port last had outlives its server (session/last-visibility.ts):
 * kept in storage, private forgotten, bounded with the ports not open forgotten first.
 */
import { describe, expect, it } from 'vitest';
import type { Visibility } from '../../../protocol';
import { LastVisibility, MAX_REMEMBERED } from '../../../gateway/session/last-visibility';
import type { PortStorage, StoredPort } from '../../../gateway/session/port-table';

function memory(): PortStorage & { puts: number } {
  const map = new Map<string, unknown>();
  return {
    puts: 0,
    async get<T>(key: string) {
      return structuredClone(map.get(key)) as T | undefined;
    },
    async put<T>(key: string, value: T) {
      this.puts++;
      map.set(key, structuredClone(value));
    },
  };
}

const open = (port: number, visibility: Visibility): StoredPort => ({ port, visibility, firstSeen: 'then' });

describe('the last visibility of a port', () => {
  it('keeps a link or public port that closed, forgets one announced private, and survives a reload', async () => {
    const storage = memory();
    const last = new LastVisibility(storage);
    await last.record([open(3000, 'public'), open(4000, 'link'), open(5000, 'private')]);
    await last.record([open(4000, 'link')]);
    expect(await last.get(3000)).toBe('public');
    expect(await last.get(4000)).toBe('link');
    expect(await last.get(5000)).toBeUndefined();
    expect(await last.get(6000)).toBeUndefined();
    await last.record([open(3000, 'private')]);
    const reloaded = new LastVisibility(storage);
    expect(await reloaded.get(3000)).toBeUndefined();
    expect(await reloaded.get(4000)).toBe('link');
  });

  it('writes only when something changed', async () => {
    const storage = memory();
    const last = new LastVisibility(storage);
    await last.record([open(3000, 'public')]);
    await last.record([open(3000, 'public')]);
    await last.record([]);
    expect(storage.puts).toBe(1);
  });

  it(`holds at most ${MAX_REMEMBERED} ports, forgetting the oldest closed ones first`, async () => {
    const last = new LastVisibility(memory());
    const ports = Array.from({ length: MAX_REMEMBERED }, (_, i) => open(10_000 + i, 'public'));
    await last.record(ports);
    // Port 10000 is still open; two new ones push out the two oldest closed ones.
    await last.record([open(10_000, 'public'), open(1, 'link'), open(2, 'link')]);
    expect(await last.get(10_000)).toBe('public');
    expect(await last.get(10_001)).toBeUndefined();
    expect(await last.get(10_002)).toBeUndefined();
    expect(await last.get(10_003)).toBe('public');
    expect(await last.get(1)).toBe('link');
  });
});
