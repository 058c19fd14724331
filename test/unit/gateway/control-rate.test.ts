/**
 * The session's control rate (issue 13 item 3, and the attack pass after it): a frame is charged
 * the ports it lists and the table it writes, the bucket belongs to the session (a reconnect does
 * not refill it), and the real client's traffic never reaches the limit.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ControlRate } from '../../../gateway/session/control-rate';
import { type PortStorage, PortTable } from '../../../gateway/session/port-table';
import type { ControlFrame } from '../../../protocol';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ControlRate', () => {
  it('allows the burst, then the rate, and refuses beyond; work found later is charged as debt', () => {
    let now = 0;
    const rate = new ControlRate(100, 50, () => now);
    expect(rate.take(30)).toBe(true);
    expect(rate.take(30)).toBe(false); // 20 left
    expect(rate.take(20)).toBe(true);
    now += 100; // 10 ports' worth at 100 a second
    expect(rate.take(10)).toBe(true);
    expect(rate.take(1)).toBe(false);
    now += 60_000; // refills to the burst, not beyond
    rate.charge(80); // 50 - 80: in debt
    expect(rate.take(1)).toBe(false);
    now += 310; // +31: 1 left
    expect(rate.take(1)).toBe(true);
    expect(rate.reason).toBe('control traffic over 100 ports a second (burst 50)');
  });

  it('for MAX_PORTS 1024: 8 full tables a second, a burst of 4 changing full HELLOs', () => {
    expect(ControlRate.forMaxPorts(1024).reason).toBe('control traffic over 8272 ports a second (burst 8232)');
  });
});

/**
 * What PortControl does with each frame, over in-memory storage: admit it, apply it to the table,
 * charge the table written. The session keeps one `rate` across its tunnels (a reconnect is only a
 * new HELLO here); refusals are counted instead of closing a tunnel.
 */
function session(maxPorts: number) {
  const data = new Map<string, unknown>();
  const storage = {
    get: async (key: string) => structuredClone(data.get(key)),
    put: async (key: string, value: unknown) => void data.set(key, structuredClone(value)),
  } as PortStorage;
  const ports = new PortTable(storage);
  const rate = ControlRate.forMaxPorts(maxPorts);
  let refused = 0;
  const frame = async (f: ClientFrame): Promise<boolean> => {
    if (!rate.admit(f)) {
      refused++;
      return false;
    }
    const changed =
      f.type === 'HELLO' ? await ports.reconcile(f.body.ports, maxPorts) : await ports.apply(f.body, maxPorts);
    if (changed) rate.written(await ports.size());
    return true;
  };
  return { frame, ports, refused: () => refused };
}

type ClientFrame = Extract<ControlFrame, { type: 'HELLO' | 'PORTS' }>;
const table = (from: number, count: number) => Array.from({ length: count }, (_, i) => ({ port: from + i }));
const hello = (ports: { port: number }[]): ClientFrame => ({ type: 'HELLO', stream: 0, body: { ports } });
const change = (opened: number[], closed: number[]): ClientFrame => ({
  type: 'PORTS',
  stream: 0,
  body: { opened: opened.map((port) => ({ port })), closed },
});

describe('the control rate of a session', () => {
  it('HELLOs that rewrite a full table are refused after 4, and stay refused until it refills', async () => {
    const s = session(1000);
    let accepted = 0;
    for (let i = 0; i < 20; i++) if (await s.frame(hello(table(i % 2 ? 20000 : 30000, 1000)))) accepted++;
    expect(accepted).toBe(4);
    // The same client reconnected at once (the bucket is the session's): still refused.
    expect(await s.frame(hello(table(20000, 1000)))).toBe(false);
    vi.advanceTimersByTime(1000); // 8,080 ports: enough for one more.
    expect(await s.frame(hello(table(20000, 1000)))).toBe(true);
  });

  it('an unchanging HELLO costs its list only', async () => {
    const s = session(1000);
    let accepted = 0;
    for (let i = 0; i < 20; i++) if (await s.frame(hello(table(20000, 1000)))) accepted++;
    expect(accepted).toBe(6); // of 8,040: the first 2,010 (it writes the table), then 1,010 each
  });

  it('a PORTS that changes a big table pays for the table it rewrites', async () => {
    const s = session(1000);
    await s.frame(hello(table(20000, 900)));
    let toggles = 0;
    while (toggles < 100 && (await s.frame(toggles % 2 ? change([], [30000]) : change([30000], [])))) toggles++;
    expect(toggles).toBeLessThan(10); // not the 100 frames it would be charged for by their lists alone
  });

  it("the real client's traffic never hits it: a full table, a port changing on every scan, reconnects backing off", async () => {
    const s = session(1024);
    const ports = table(20000, 1023);
    // A flapping link: the tunnel drops right after each HELLO, reconnecting after 250 ms doubling (supervisor.ts).
    for (const delay of [0, 250, 500, 1000, 2000, 4000]) {
      vi.advanceTimersByTime(delay);
      expect(await s.frame(hello(ports))).toBe(true);
    }
    // Then a port that opens and closes on every scan of the watcher (150 ms apart at the fastest), for a minute.
    for (let i = 0; i < 400; i++) {
      vi.advanceTimersByTime(150);
      await s.frame(i % 2 ? change([], [30000]) : change([30000], []));
    }
    expect(s.refused()).toBe(0);
    expect(await s.ports.size()).toBe(1023);
  });
});
