/**
 * Property-based tests of the codec and the multiplexer (fast-check): random
 * and mutated frames at both ends never let anything but a ProtocolError
 * escape, never leave a stream behind, and never drive a window negative; and
 * random traffic between two connected ends always delivers what was sent.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decode,
  encode,
  type Frame,
  INITIAL_WINDOW,
  MAX_DATA,
  Mux,
  type MuxStream,
  ProtocolError,
  StreamResetError,
} from '../../protocol';
import { wire } from './arbitraries';
import { pair, request, until } from './pair';

function assertWindows(streams: MuxStream[]): void {
  for (const s of streams) {
    expect(s.sendWindow).toBeGreaterThanOrEqual(0);
    expect(s.recvWindow).toBeGreaterThanOrEqual(0);
  }
}

describe('protocol properties (fast-check)', () => {
  it('decode either returns a frame that encodes again or throws ProtocolError', () => {
    fc.assert(
      fc.property(wire, (message) => {
        let decoded: Frame;
        try {
          decoded = decode(message);
        } catch (error) {
          expect(error).toBeInstanceOf(ProtocolError);
          return;
        }
        expect(() => encode(decoded)).not.toThrow();
      }),
      { numRuns: 3000 },
    );
  });

  for (const role of ['gateway', 'client'] as const) {
    it(`a ${role} fed random and mutated frames: only ProtocolError escapes, windows stay ≥ 0, nothing leaks`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(wire, { maxLength: 40 }), async (messages) => {
          const streams: MuxStream[] = [];
          const mux = new Mux({ role, send: () => {}, onOpen: (s) => streams.push(s) });
          // The gateway has streams of its own for the frames to land on.
          if (role === 'gateway') for (let i = 0; i < 3; i++) streams.push(mux.open({ ...request(), hasBody: i > 0 }));
          for (const s of streams) void s.done();
          for (const message of messages) {
            try {
              mux.receive(message);
            } catch (error) {
              expect(error).toBeInstanceOf(ProtocolError);
              break; // The transport closes the tunnel on a connection error.
            }
            assertWindows(streams);
          }
          // Let queued promise work settle, then the tunnel goes: every stream must end.
          await new Promise((resolve) => setImmediate(resolve));
          mux.close('fuzz run over');
          expect(mux.stats().open).toBe(0);
          for (const s of streams) expect(['closed', 'reset']).toContain(s.state);
        }),
        { numRuns: 400 },
      );
    });
  }

  it('random traffic between two ends delivers every byte of every stream that was not reset, and leaks nothing', async () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant('write' as const),
        stream: fc.nat(4),
        size: fc.integer({ min: 0, max: MAX_DATA * 3 }),
      }),
      fc.record({ kind: fc.constant('end' as const), stream: fc.nat(4) }),
      fc.record({ kind: fc.constant('reset' as const), stream: fc.nat(4) }),
      fc.record({ kind: fc.constant('tick' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 30 }),
        fc.integer({ min: 1024, max: INITIAL_WINDOW }),
        async (ops, window) => {
          const p = pair(window);
          const senders = Array.from({ length: 5 }, () => p.gateway.open({ ...request(), hasBody: true }));
          await until(() => p.accepted.length === 5, 'all accepted');
          const sent = senders.map(() => [] as Uint8Array[]);
          const ended = senders.map(() => false);
          const wasReset = senders.map(() => false);
          // Each receiver reads everything, as a consumer would, returning credit as it goes.
          const received = p.accepted.map(async (s) => {
            const out: Uint8Array[] = [];
            try {
              for (let c = await s.read(); c !== null; c = await s.read()) out.push(c.slice());
              return Buffer.concat(out);
            } catch (error) {
              expect(error).toBeInstanceOf(StreamResetError);
              return null;
            }
          });
          const writes: Promise<unknown>[] = [];
          for (const o of ops) {
            const i = o.kind === 'tick' ? 0 : o.stream;
            const s = senders[i]!;
            if (o.kind === 'tick') await new Promise((resolve) => setImmediate(resolve));
            else if (o.kind === 'reset') {
              wasReset[i] = true;
              s.reset(8, 'fuzz');
            } else if (!ended[i] && !wasReset[i]) {
              if (o.kind === 'end') {
                ended[i] = true;
                writes.push(s.end().catch(() => {}));
              } else {
                const chunk = new Uint8Array(o.size).map((_, k) => (k * 7 + i) & 0xff);
                sent[i]!.push(chunk);
                writes.push(s.write(chunk).catch(() => {}));
              }
            }
            assertWindows([...senders, ...p.accepted]);
          }
          for (let i = 0; i < 5; i++) if (!ended[i] && !wasReset[i]) writes.push(senders[i]!.end().catch(() => {}));
          await Promise.all(writes);
          const results = await Promise.all(received);
          for (let i = 0; i < 5; i++) {
            if (wasReset[i]) continue;
            expect(results[i]?.equals(Buffer.concat(sent[i]!))).toBe(true);
          }
          // Every stream's gateway end is finished by now; the client ends answer and everything is freed.
          for (const c of p.accepted) if (c.state === 'remote-closed') await c.end();
          await until(() => p.gateway.stats().open === 0 && p.client.stats().open === 0, 'streams released');
          assertWindows([...senders, ...p.accepted]);
        },
      ),
      { numRuns: 60 },
    );
  });
});
