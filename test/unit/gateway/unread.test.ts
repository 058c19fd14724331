/**
 * The unread accounting of a tunnel (issue 13 item 3): a client that sends faster than it reads is
 * found out, acks count only for a probe's own random nonce, and DATA waits for them.
 */
import { describe, expect, it } from 'vitest';
import { UnreadBudget } from '../../../gateway/session/unread';
import { ackMessage, parseAck, parseProbe, probeMessage, probeNonce } from '../../../protocol';

describe('read probes', () => {
  it('are text messages with a 64-bit hex nonce; anything else is not one', () => {
    expect(parseProbe(probeMessage('0123456789abcdef'))).toBe('0123456789abcdef');
    expect(parseAck(ackMessage('ffffffffffffffff'))).toBe('ffffffffffffffff');
    const texts = ['ping', 'pong', 'probe', 'probe ', 'probe 7', 'probe 0123456789ABCDEF', 'probe 0123456789abcdef0'];
    for (const text of [...texts, 'ack 0123456789abcde', 'ack 0123456789abcdeg', 'ack 0123456789abcdef ']) {
      expect(parseProbe(text)).toBeNull();
      expect(parseAck(text)).toBeNull();
    }
    expect(parseAck(probeMessage('0123456789abcdef'))).toBeNull();
  });

  it('nonces are 64 random bits, fresh each time', () => {
    expect(probeNonce(() => new Uint8Array([0, 1, 2, 0xab, 0xcd, 0xef, 0x10, 0xff]))).toBe('000102abcdef10ff');
    const nonces = new Set(Array.from({ length: 1000 }, () => probeNonce()));
    expect(nonces.size).toBe(1000);
    for (const nonce of nonces) expect(parseProbe(probeMessage(nonce))).toBe(nonce);
  });
});

/** Nonces n0, n1, … in order, so a test can name them. */
function counting(): () => string {
  let next = 0;
  return () => `n${next++}`.padStart(16, '0');
}
const n = (i: number) => `n${i}`.padStart(16, '0');

describe('UnreadBudget', () => {
  const budget = () => new UnreadBudget({ probeEvery: 100, budget: 400, window: 800, nonce: counting() });

  it('asks for a probe after every probeEvery bytes, and an ack frees what was sent before it', () => {
    const unread = budget();
    expect(unread.sent(60)).toEqual({ over: false });
    expect(unread.sent(60)).toEqual({ over: false, probe: n(0) });
    expect(unread.sent(50)).toEqual({ over: false });
    expect(unread.stats()).toMatchObject({ sent: 170, unread: 170, unreadControl: 170, pendingProbes: 1 });
    expect(unread.acked(n(0))).toBe(true);
    // Only what preceded the probe is known to be read.
    expect(unread.stats()).toMatchObject({ sent: 170, unread: 50, pendingProbes: 0 });
    expect(unread.acked(n(0))).toBe(false);
  });

  it('a client that reads, however much is sent, is never over', () => {
    const unread = budget();
    for (let i = 0; i < 1000; i++) {
      const verdict = unread.sent(30, i % 2 === 0);
      expect(verdict.over).toBe(false);
      if (verdict.probe !== undefined) unread.acked(verdict.probe); // answered as it reads
    }
    expect(unread.stats().unread).toBeLessThan(100);
    expect(unread.available()).toBeGreaterThan(700);
  });

  it('a client that never answers is over the budget once it is passed, and stays over', () => {
    const unread = budget();
    let probes = 0;
    let verdict = unread.sent(0);
    for (let i = 0; i < 100 && !verdict.over; i++) {
      verdict = unread.sent(30);
      if (verdict.probe !== undefined) probes++;
    }
    expect(verdict.over).toBe(true);
    expect(unread.unread).toBe(420);
    expect(probes).toBe(3); // at 120, 240 and 360 bytes
    expect(unread.sent(1).over).toBe(true);
  });

  it('an ack answers its probe and every earlier one; any other nonce changes nothing', () => {
    const unread = budget();
    unread.sent(100); // probe n0
    unread.sent(100); // probe n1
    unread.sent(100); // probe n2
    for (const guess of [n(3), n(4), 'ffffffffffffffff']) expect(unread.acked(guess)).toBe(false);
    expect(unread.stats().unread).toBe(300);
    expect(unread.acked(n(1))).toBe(true);
    expect(unread.stats()).toMatchObject({ sent: 300, unread: 100, pendingProbes: 1 });
  });

  it('with random nonces, acks that guess from a nonce seen are worth nothing', () => {
    const unread = new UnreadBudget({ probeEvery: 100, budget: 10_000 });
    const seen = unread.sent(100).probe as string;
    expect(unread.acked(seen)).toBe(true);
    for (let i = 0; i < 10; i++) unread.sent(100);
    const next = (k: number) =>
      BigInt.asUintN(64, BigInt(`0x${seen}`) + BigInt(k))
        .toString(16)
        .padStart(16, '0');
    for (let k = 0; k <= 100; k++) expect(unread.acked(next(k))).toBe(false);
    expect(unread.stats()).toMatchObject({ unread: 1000, pendingProbes: 10 });
  });

  it('remembers at most maxPending probes; a later ack still frees everything before it', () => {
    const unread = new UnreadBudget({ probeEvery: 10, budget: 10_000, maxPending: 3, nonce: counting() });
    for (let i = 0; i < 5; i++) unread.sent(10); // n0 … n4; n0 and n1 forgotten
    expect(unread.stats().pendingProbes).toBe(3);
    expect(unread.acked(n(1))).toBe(false);
    expect(unread.acked(n(4))).toBe(true);
    expect(unread.stats()).toMatchObject({ unread: 0, pendingProbes: 0 });
  });

  it('DATA counts toward the window, not the budget: no close, but no credit until an ack', async () => {
    const unread = budget();
    const probes: string[] = [];
    for (let i = 0; i < 8; i++) {
      const verdict = unread.sent(100, true);
      expect(verdict.over).toBe(false);
      if (verdict.probe) probes.push(verdict.probe);
    }
    expect(unread.stats()).toMatchObject({ unread: 800, unreadControl: 0 });
    expect(unread.available()).toBe(0);
    let woken = false;
    const wait = unread.waitForCredit().then(() => (woken = true));
    await Promise.resolve();
    expect(woken).toBe(false);
    expect(unread.acked('ffffffffffffffff')).toBe(false); // a guess wakes no one
    await Promise.resolve();
    expect(woken).toBe(false);
    unread.acked(probes[2] as string);
    await wait;
    expect(unread.available()).toBe(300);
  });
});
