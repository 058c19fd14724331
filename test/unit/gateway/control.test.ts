import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Coalescer } from '../../../gateway/session/coalesce';
import {
  checkPortCount,
  PortTable,
  type PortStorage,
  sameTable,
  type StoredPort,
  TooManyPortsError,
} from '../../../gateway/session/port-table';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Coalescer (the port snapshot)', () => {
  it('runs once for a burst of requests, then at most once per interval, always after the last request', async () => {
    const run = vi.fn(async () => {});
    const c = new Coalescer(run, 100);
    for (let i = 0; i < 600; i++) c.request();
    await vi.advanceTimersByTimeAsync(0);
    expect(run).toHaveBeenCalledTimes(1);
    c.request();
    c.request();
    await vi.advanceTimersByTimeAsync(50);
    expect(run).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(50);
    expect(run).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(run).toHaveBeenCalledTimes(2);
  });

  it('a request made while a run is in progress gets one more run after it', async () => {
    let finish = () => {};
    const run = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const c = new Coalescer(run, 100);
    c.request();
    await vi.advanceTimersByTimeAsync(0);
    c.request();
    c.request();
    finish();
    await vi.advanceTimersByTimeAsync(100);
    expect(run).toHaveBeenCalledTimes(2);
  });
});

/** An in-memory stand-in for Durable Object storage that counts writes. */
function memoryStorage(): { storage: PortStorage; puts: () => number } {
  const data = new Map<string, unknown>();
  let puts = 0;
  const storage = {
    get: async (key: string) => structuredClone(data.get(key)),
    put: async (key: string, value: unknown) => {
      puts++;
      data.set(key, structuredClone(value));
    },
  } as PortStorage;
  return { storage, puts: () => puts };
}

describe('PortTable: no-op changes and the port cap', () => {
  it('reports and writes only real changes', async () => {
    const { storage, puts } = memoryStorage();
    const table = new PortTable(storage);
    expect(await table.reconcile([{ port: 3000 }], 10)).toBe(true);
    expect(await table.apply({ opened: [], closed: [] }, 10)).toBe(false);
    expect(await table.apply({ opened: [{ port: 3000 }], closed: [] }, 10)).toBe(false);
    expect(await table.apply({ opened: [], closed: [4000] }, 10)).toBe(false);
    expect(await table.reconcile([{ port: 3000 }], 10)).toBe(false);
    expect(puts()).toBe(1);
    expect(await table.apply({ opened: [{ port: 3000, visibility: 'public' }], closed: [] }, 10)).toBe(true);
    expect(await table.apply({ opened: [], closed: [3000] }, 10)).toBe(true);
    expect(puts()).toBe(3);
  });

  it("keeps a port's label, takes a new one, and drops it when the port is announced without one", async () => {
    const { storage } = memoryStorage();
    const table = new PortTable(storage);
    await table.reconcile([{ port: 3000, label: 'Web' }], 10);
    const firstSeen = (await table.get(3000))?.firstSeen;
    expect(await table.get(3000)).toMatchObject({ label: 'Web' });
    expect(await table.apply({ opened: [{ port: 3000, label: 'Web' }], closed: [] }, 10)).toBe(false);
    expect(await table.apply({ opened: [{ port: 3000, label: 'App' }], closed: [] }, 10)).toBe(true);
    expect(await table.get(3000)).toMatchObject({ label: 'App', firstSeen });
    expect(await table.apply({ opened: [{ port: 3000 }], closed: [] }, 10)).toBe(true);
    expect(await table.get(3000)).not.toHaveProperty('label');
    // Stored, it survives a reload.
    await table.apply({ opened: [{ port: 3000, label: 'Kept' }], closed: [] }, 10);
    expect(await new PortTable(storage).get(3000)).toMatchObject({ label: 'Kept' });
  });

  it('refuses a table over the cap and keeps nothing of it', async () => {
    const { storage, puts } = memoryStorage();
    const table = new PortTable(storage);
    await table.reconcile([{ port: 1 }, { port: 2 }], 3);
    const four = { opened: [3, 4].map((port) => ({ port })), closed: [] };
    await expect(table.apply(four, 3)).rejects.toBeInstanceOf(TooManyPortsError);
    await expect(
      table.reconcile(
        [1, 2, 3, 4].map((port) => ({ port })),
        3,
      ),
    ).rejects.toThrow(/at most 3 \(MAX_PORTS\)/);
    expect((await table.list()).map((p) => p.port)).toEqual([1, 2]);
    expect(puts()).toBe(1);
    // Closes count before opens: a swap at the cap fits.
    expect(await table.apply({ opened: [{ port: 3 }], closed: [1] }, 2)).toBe(true);
  });

  it('checkPortCount and sameTable', () => {
    expect(() => checkPortCount(1024, 1024)).not.toThrow();
    expect(() => checkPortCount(1025, 1024)).toThrow(TooManyPortsError);
    const entry: StoredPort = { port: 1, firstSeen: 't', visibility: 'private' };
    const a = new Map([[1, entry]]);
    expect(sameTable(a, new Map([[1, { ...entry }]]))).toBe(true);
    expect(sameTable(a, new Map([[1, { ...entry, process: 'node' }]]))).toBe(false);
    expect(sameTable(a, new Map())).toBe(false);
  });
});
