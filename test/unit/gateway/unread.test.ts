/** The unread budget of a tunnel (issue 13 item 3): a client that sends faster than it reads is found out. */
import { describe, expect, it } from 'vitest';
import { UnreadBudget } from '../../../gateway/session/unread';
import { ackMessage, parseAck, parseProbe, probeMessage } from '../../../protocol';

describe('read probes', () => {
  it('are text messages with a u32 number; anything else is not one', () => {
    expect(parseProbe(probeMessage(7))).toBe(7);
    expect(parseAck(ackMessage(4294967295))).toBe(4294967295);
    for (const text of ['ping', 'pong', 'probe', 'probe ', 'probe -1', 'probe 1x', 'probe 4294967296', 'ack 1 ']) {
      expect(parseProbe(text)).toBeNull();
      expect(parseAck(text)).toBeNull();
    }
    expect(parseAck(probeMessage(1))).toBeNull();
  });
});

describe('UnreadBudget', () => {
  const budget = () => new UnreadBudget({ probeEvery: 100, budget: 400, firstSeq: 10 });

  it('asks for a probe after every probeEvery bytes, and an ack frees what was sent before it', () => {
    const unread = budget();
    expect(unread.sent(60)).toEqual({ over: false });
    expect(unread.sent(60)).toEqual({ over: false, probe: 10 });
    expect(unread.sent(50)).toEqual({ over: false });
    expect(unread.stats()).toEqual({ sent: 170, unread: 170, pendingProbes: 1 });
    expect(unread.acked(10)).toBe(true);
    // Only what preceded the probe is known to be read.
    expect(unread.stats()).toEqual({ sent: 170, unread: 50, pendingProbes: 0 });
    expect(unread.acked(10)).toBe(false);
  });

  it('a client that reads, however much is sent, is never over', () => {
    const unread = budget();
    for (let i = 0; i < 1000; i++) {
      const verdict = unread.sent(30);
      expect(verdict.over).toBe(false);
      if (verdict.probe !== undefined) unread.acked(verdict.probe); // answered as it reads
    }
    expect(unread.unread).toBeLessThan(100);
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

  it('an ack answers its probe and every earlier one; an unknown number changes nothing', () => {
    const unread = budget();
    unread.sent(100); // probe 10
    unread.sent(100); // probe 11
    unread.sent(100); // probe 12
    expect(unread.acked(99)).toBe(false);
    expect(unread.stats().unread).toBe(300);
    expect(unread.acked(11)).toBe(true);
    expect(unread.stats()).toEqual({ sent: 300, unread: 100, pendingProbes: 1 });
  });
});
