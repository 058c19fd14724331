import { describe, expect, it } from 'vitest';
import { Keepalive } from '../../../../client/tunnel/keepalive';
import { ManualClock } from './manual-clock';

function start(intervalMs = 1000) {
  const clock = new ManualClock();
  const record = { pings: 0, dead: 0 };
  const keepalive = new Keepalive({
    intervalMs,
    clock,
    ping: () => record.pings++,
    dead: () => record.dead++,
  });
  return { clock, record, keepalive };
}

describe('Keepalive: dead-peer detection', () => {
  it('pings every interval and declares a silent peer dead after two unanswered pings', () => {
    const { clock, record } = start(1000);
    clock.advance(1000);
    expect(record).toEqual({ pings: 1, dead: 0 });
    clock.advance(1000);
    expect(record).toEqual({ pings: 2, dead: 0 });
    clock.advance(1000); // 3 s of silence > 2.5 intervals.
    expect(record).toEqual({ pings: 2, dead: 1 });
    clock.advance(10_000);
    expect(record).toEqual({ pings: 2, dead: 1 });
    expect(clock.pending()).toEqual([]);
  });

  it('keeps a peer that answers alive however long it runs', () => {
    const { clock, record, keepalive } = start(1000);
    for (let i = 0; i < 50; i++) {
      clock.advance(1000);
      keepalive.seen(); // The pong.
    }
    expect(record).toEqual({ pings: 50, dead: 0 });
  });

  it('counts any message as a sign of life, and measures silence from the last one', () => {
    const { clock, record, keepalive } = start(1000);
    clock.advance(1900);
    keepalive.seen();
    clock.advance(2100); // Ticks at 2 s, 3 s and 4 s: 2.1 s since the last message, not yet 2.5.
    expect(record.dead).toBe(0);
    clock.advance(1000); // 5 s: 3.1 s of silence.
    expect(record.dead).toBe(1);
  });

  it('with the default 15 s interval, declares a peer dead 45 s after its last pong (docs/protocol.md)', () => {
    const clock = new ManualClock();
    let dead = 0;
    const keepalive = new Keepalive({ clock, ping: () => {}, dead: () => dead++ });
    clock.advance(15_000);
    clock.advance(20); // The pong, 20 ms after the ping; then silence.
    keepalive.seen();
    clock.advance(45_000 - 20 - 1); // Ping times at 30 s and 45 s pass: 29.98 s of silence at 45 s.
    expect(dead).toBe(0);
    clock.advance(1); // 60 s: 44.98 s of silence > 37.5 s.
    expect(dead).toBe(1);
  });

  it('stops without a verdict', () => {
    const { clock, record, keepalive } = start(1000);
    keepalive.stop();
    clock.advance(60_000);
    expect(record).toEqual({ pings: 0, dead: 0 });
  });
});
