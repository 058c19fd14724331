/** fast-check generators of tunnel frames: well-formed ones, and their encodings mutated. */
import fc from 'fast-check';
import { encode, type Frame } from '../../protocol';

const streamId = fc.constantFrom(0, 1, 2, 3, 0xffffffff);
const bytes = (max: number) => fc.uint8Array({ maxLength: max });
const headers = fc.array(fc.tuple(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })), { maxLength: 3 });

/** Frames that encode: well-formed, but in any order, on any stream, in either direction. */
export const frame: fc.Arbitrary<Frame> = fc.oneof(
  fc.record({
    type: fc.constant('DATA' as const),
    stream: streamId,
    data: bytes(300),
    text: fc.boolean(),
    end: fc.boolean(),
    more: fc.boolean(),
    close: fc.boolean(),
  }),
  fc.record({ type: fc.constant('END' as const), stream: streamId }),
  fc.record({
    type: fc.constant('RESET' as const),
    stream: streamId,
    code: fc.integer({ min: 0, max: 0xffff }),
    reason: fc.string({ maxLength: 20 }),
  }),
  fc.record({
    type: fc.constant('WINDOW' as const),
    stream: streamId,
    credit: fc.oneof(fc.integer({ min: 0, max: 2 ** 20 }), fc.constant(0xffffffff)),
  }),
  fc.record({
    type: fc.constant('OPEN' as const),
    stream: streamId,
    body: fc.record({
      port: fc.integer({ min: 1, max: 65535 }),
      method: fc.constantFrom('GET', 'POST'),
      path: fc.constant('/'),
      headers,
      host: fc.constant('h'),
      hasBody: fc.boolean(),
      upgrade: fc.boolean(),
      viewer: fc.oneof(
        fc.constantFrom({ kind: 'owner' as const }, { kind: 'public' as const }, { kind: 'preflight' as const }),
        fc.stringMatching(/^[a-z2-7]{1,32}$/).map((link) => ({ kind: 'link' as const, link })),
      ),
    }),
  }),
  fc.record({
    type: fc.constant('RESPONSE' as const),
    stream: streamId,
    body: fc.record({ status: fc.integer({ min: 100, max: 599 }), headers }),
  }),
) as fc.Arbitrary<Frame>;

/** An encoded frame, sometimes mutated: a flipped byte, cut short, or with junk appended. */
export const wire = fc.oneof(
  { weight: 3, arbitrary: frame.map((f) => encode(f)) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        frame.map((f) => encode(f)),
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
      )
      .map(([b, at, value]) => {
        const out = b.slice();
        out[at % out.length] = value;
        return out;
      }),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        frame.map((f) => encode(f)),
        fc.nat(),
      )
      .map(([b, n]) => b.slice(0, n % b.length)),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(
        frame.map((f) => encode(f)),
        bytes(16),
      )
      .map(([b, j]) => new Uint8Array([...b, ...j])),
  },
  { weight: 1, arbitrary: bytes(40) },
);
