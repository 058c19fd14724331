/**
 * ATTACK (issue 20, raw TCP forwarding): a hostile VM client answering a raw TCP OPEN badly (no
 * Agent: forward-kit.ts's hostile tunnel speaks the frames). The owner must get a clear HTTP refusal
 * before any byte, or a clean close with a reason once connected, never a hang; and the gateway
 * stays healthy: another session on it serves a request right after.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenFrame, ResetCode } from '../../protocol';
import { type RunningAgent, type Harness, startAgent, startHarness, startOrigin, waitFor } from './harness';
import {
  healthy,
  type HostileTunnel,
  hostileTunnel,
  openOwner,
  type OwnerSocket,
  rawReset,
  within,
} from './forward-kit';

let h: Harness;
let bystander: { agent: RunningAgent; url: string; close(): Promise<void> };
beforeAll(async () => {
  h = await startHarness({ ORIGIN_TIMEOUT: '2' });
  const origin = await startOrigin((_req, res) => res.end('still here'));
  const agent = await startAgent(h, [origin.port]);
  bystander = {
    agent,
    url: await agent.agent.url(origin.port),
    close: async () => {
      await agent.agent.stop();
      await origin.close();
    },
  };
});
afterAll(async () => {
  await bystander?.close();
  await h?.stop();
});

const PORT = 5432;
const KiB = 1024;

type Answer = (open: OpenFrame, tunnel: HostileTunnel) => void;
const respond =
  (status: number): Answer =>
  (open, t) =>
    t.send({ type: 'RESPONSE', stream: open.stream, body: { status, headers: [] } });

/** Open the owner's connection to a hostile client answering with `answer`. */
async function forwardTo(answer: Answer) {
  const tunnel = await hostileTunnel(h, PORT, answer);
  const owner = await within(openOwner(h, tunnel.session, PORT, tunnel.owner), 10_000, 'the 101 or a refusal');
  return { tunnel, owner };
}

describe('ATTACK: a hostile VM client answering a raw TCP OPEN badly', () => {
  const refusals: Array<[string, Answer, number, string]> = [
    ['RESPONSE 101', respond(101), 502, 'origin_error'],
    ['RESPONSE 404', respond(404), 502, 'origin_error'],
    ['no answer at all', () => {}, 504, 'origin_timeout'],
    [
      'DATA before RESPONSE, then nothing',
      (open, t) => t.send({ type: 'DATA', stream: open.stream, data: new Uint8Array(16 * KiB) }),
      504,
      'origin_timeout',
    ],
    [
      'a RESET with a 16 000-character reason',
      (open, t) => t.sendRaw(rawReset(open.stream, ResetCode.ORIGIN_ERROR, 'x'.repeat(16_000))),
      502,
      'origin_error',
    ],
  ];
  for (const [what, answer, status, error] of refusals) {
    it(`${what}: the owner gets ${status} ${error} before any byte; the gateway still serves`, async () => {
      const { tunnel, owner } = await forwardTo(answer);
      expect('status' in owner ? owner : 'a 101', what).toMatchObject({ status, body: { error } });
      const message = 'status' in owner ? (owner.body.message ?? '') : '';
      expect(message.length, message.slice(0, 300)).toBeLessThan(1024);
      if (!what.startsWith('a RESET')) {
        // The gateway let go of the stream: the client was told (a reset it may ignore).
        expect(tunnel.frames.some((f) => f.type === 'RESET' && f.stream !== 0)).toBe(true);
      }
      expect(await healthy(h, bystander.url)).toBe('200 still here');
    });
  }

  it('RESPONSE 200 with a final body: the owner gets the bytes and end, then closes 1000', async () => {
    const { owner } = await forwardTo((open, t) =>
      t.send({
        type: 'RESPONSE',
        stream: open.stream,
        body: { status: 200, headers: [] },
        final: new TextEncoder().encode('banner'),
      }),
    );
    const socket = owner as OwnerSocket;
    expect('ws' in socket).toBe(true);
    await waitFor(() => socket.texts.includes('end'), 'the end').catch(() => {});
    expect({ bytes: socket.bytes().toString(), texts: socket.texts }).toEqual({ bytes: 'banner', texts: ['end'] });
    socket.ws.send('end');
    expect(await within(socket.closed, 10_000, 'the close')).toEqual({ code: 1000, reason: 'closed' });
    expect(await healthy(h, bystander.url)).toBe('200 still here');
  });

  it('DATA past the window after RESPONSE 200: the owner is closed with a reason, the client reset', async () => {
    const { tunnel, owner } = await forwardTo((open, t) => {
      respond(200)(open, t);
      // 1 MiB at once, never waiting for WINDOW: past the 256 KiB window however fast the gateway reads.
      for (let i = 0; i < 16; i++) t.send({ type: 'DATA', stream: open.stream, data: new Uint8Array(64 * KiB) });
    });
    const socket = owner as OwnerSocket;
    expect('ws' in socket).toBe(true);
    const closed = await within(socket.closed, 10_000, 'the close');
    expect([1008, 1011]).toContain(closed.code);
    expect(closed.reason).toMatch(/window/);
    expect(tunnel.frames).toContainEqual(expect.objectContaining({ type: 'RESET', code: ResetCode.FLOW_CONTROL }));
    expect(await healthy(h, bystander.url)).toBe('200 still here');
  });

  it('a RESET with a 16 000-character reason once connected: the owner is closed 1011 with the reason cut', async () => {
    let stream = 0;
    const { tunnel, owner } = await forwardTo((open, t) => {
      stream = open.stream;
      respond(200)(open, t);
    });
    const socket = owner as OwnerSocket;
    expect('ws' in socket).toBe(true);
    tunnel.sendRaw(rawReset(stream, ResetCode.ORIGIN_ERROR, `origin said: ${'y'.repeat(16_000)}`));
    const closed = await within(socket.closed, 10_000, 'the close');
    expect(closed.code).toBe(1011);
    expect(closed.reason).toMatch(/^origin said: y+$/);
    expect(Buffer.byteLength(closed.reason)).toBeLessThanOrEqual(123);
    expect(await healthy(h, bystander.url)).toBe('200 still here');
  });
});
