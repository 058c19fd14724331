/**
 * ATTACK (issue 20, raw TCP forwarding): a hostile owner WebSocket (raw `ws`, subprotocol
 * porthole.tcp.v1, an owner token) breaking protocol/forward.ts's rules. Each break closes the
 * owner's socket with 1008 and the reason, and resets the stream: the origin's connection is closed.
 */
import type net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResetCode } from '../../protocol';
import { type Harness, startAgent, startHarness, waitFor } from './harness';
import {
  gatewayRss,
  hostileTunnel,
  type OriginSide,
  openOwner,
  type OwnerSocket,
  recordingOrigin,
  within,
} from './forward-kit';
import { ownerToken } from './tcp-kit';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

const KiB = 1024;

/** A real client in front of a recording origin, and the owner's socket to it, connected. */
async function connected() {
  const origin = await recordingOrigin();
  const a = await startAgent(h, [origin.port]);
  const socket = await openOwner(h, a.session, origin.port, await ownerToken(h, a.session, a.token));
  if (!('ws' in socket)) throw new Error(`refused: ${JSON.stringify(socket)}`);
  await waitFor(() => origin.connections.length === 1, 'the origin connection');
  return { socket, side: origin.connections[0] as OriginSide, origin: origin.sockets[0] as net.Socket };
}

/** The close within 10 s, or an error: a hang fails the test. */
const closeOf = (socket: OwnerSocket) => within(socket.closed, 10_000, 'the owner socket to close');

describe("ATTACK: a hostile owner breaking the forwarding protocol's rules", () => {
  const breaks: Array<[string, Array<string | Buffer>, RegExp]> = [
    ['a binary message over 64 KiB', [Buffer.alloc(64 * KiB + 1)], /a message of 65537 bytes/],
    ['bytes after end', ['end', Buffer.from('late')], /bytes after end/],
    ['end twice', ['end', 'end'], /a second end/],
    ['an unknown text message', ['hello'], /an unknown text message/],
    ['window 0', ['window 0'], /an unknown text message/],
    ['window 2147483647 twice (overflow)', ['window 2147483647', 'window 2147483647'], /window past what was sent/],
    ['window given back before anything was sent', ['window 65536'], /window past what was sent \(327680 bytes\)/],
    ['a window under a step', ['window 1'], /a window of 1 bytes/],
    ['an empty binary message', [Buffer.alloc(0)], /an empty message/],
  ];
  for (const [what, messages, reason] of breaks) {
    it(`${what}: close 1008 with the reason, the origin's connection closed`, async () => {
      const { socket, side, origin } = await connected();
      for (const message of messages) socket.ws.send(message);
      const closed = await closeOf(socket);
      expect(closed.code, closed.reason).toBe(1008);
      expect(closed.reason).toMatch(reason);
      // A half-closed origin that does not write would not notice the RST: it writes, as a real one would.
      await waitFor(
        () => {
          if (!side.closed) origin.write('?');
          return side.closed;
        },
        `the origin's connection reset (${JSON.stringify(side)})`,
        10_000,
        100,
      );
      expect(side.bytes, 'no byte of a broken message reached the origin').toBe(0);
    });
  }

  it('a flood of messages that carry nothing is refused at the first (workerd still queues the rest: reported)', async () => {
    // What the object can do: refuse the first message that costs the owner no window, and drop the rest
    // unread. What it cannot: the runtime reads an accepted socket ahead of the object (about 670 B per
    // queued message here) and goes on reading until the peer's close frame, which a client sends after
    // whatever it queued. 1M such messages grew workerd by ~670 MiB with or without this guard.
    const { socket, side, origin } = await connected();
    const before = gatewayRss();
    for (let i = 0; i < 50_000; i++) socket.ws.send(i % 2 ? 'window 1' : Buffer.alloc(0));
    const closed = await closeOf(socket);
    expect(closed.code, closed.reason).toBe(1008);
    expect(closed.reason).toMatch(/an empty message/);
    await waitFor(
      () => {
        if (!side.closed) origin.write('?');
        return side.closed;
      },
      "the origin's connection reset",
      10_000,
      100,
    );
    console.log(`50 000 empty messages: workerd grew ${(gatewayRss() - before).toFixed(1)} MiB`);
  });

  it('bytes past its window without waiting for window: close 1008, the stream reset', async () => {
    // The VM's client grants nothing past the stream's first window, so the gateway can give the owner back
    // at most that: 256 KiB + 256 KiB. The owner sends 1 MiB at once.
    let stream = 0;
    const tunnel = await hostileTunnel(h, 5432, (open, t) => {
      stream = open.stream;
      t.send({ type: 'RESPONSE', stream: open.stream, body: { status: 200, headers: [] } });
    });
    const socket = await openOwner(h, tunnel.session, 5432, tunnel.owner);
    if (!('ws' in socket)) throw new Error(`refused: ${JSON.stringify(socket)}`);
    for (let i = 0; i < 16; i++) socket.ws.send(Buffer.alloc(64 * KiB));
    const closed = await closeOf(socket);
    expect(closed.code, closed.reason).toBe(1008);
    expect(closed.reason).toMatch(/65536 bytes with only 0 of window/);
    expect(socket.granted()).toBeLessThanOrEqual(256 * KiB);
    await waitFor(
      () => tunnel.frames.some((f) => f.type === 'RESET' && f.stream === stream && f.code === ResetCode.CANCEL),
      'the RESET the client would turn into an origin reset',
    );
  });

  it('1-byte messages while the client grants nothing are held as one buffer, not a write each, and end follows them', async () => {
    // A write (and its promises) per message cost ~330 B of the object's heap per held byte before the
    // staging buffer: 256 Ki 1-byte messages, ~85 MiB. Seen from the tunnel: they go out as one chunk.
    let stream = 0;
    const tunnel = await hostileTunnel(h, 5432, (open, t) => {
      stream = open.stream;
      t.send({ type: 'RESPONSE', stream: open.stream, body: { status: 200, headers: [] } });
      for (let i = 0; i < 4; i++) t.send({ type: 'DATA', stream: open.stream, data: new Uint8Array(64 * KiB) });
    });
    const socket = await openOwner(h, tunnel.session, 5432, tunnel.owner);
    if (!('ws' in socket)) throw new Error(`refused: ${JSON.stringify(socket)}`);
    await waitFor(() => socket.bytes().length === 256 * KiB, "the owner's first window");
    // 64 KiB more waits in the gateway for the owner's window: the marker that it read every message before.
    await waitFor(() => tunnel.frames.some((f) => f.type === 'WINDOW' && f.stream === stream), 'credit');
    tunnel.send({ type: 'DATA', stream, data: new Uint8Array(64 * KiB) });
    // 256 KiB fill the client's window; then 1000 messages of 1 byte wait; then the owner reads.
    for (let i = 0; i < 4; i++) socket.ws.send(Buffer.alloc(64 * KiB));
    for (let i = 0; i < 1000; i++) socket.ws.send(Buffer.alloc(1, i));
    socket.ws.send('end'); // After the held bytes, not before them.
    socket.ws.send('window 65536');
    await waitFor(() => socket.bytes().length === 320 * KiB, 'the gateway read every message');
    const before = tunnel.frames.length;
    tunnel.send({ type: 'WINDOW', stream, credit: 1024 * KiB });
    const late = () => tunnel.frames.slice(before).filter((f) => f.type === 'DATA' && f.stream === stream);
    await waitFor(
      () => late().reduce((sum, f) => sum + (f.type === 'DATA' ? f.data.length : 0), 0) === 1000,
      '1000 bytes',
    );
    expect(late().length, 'DATA frames for the 1000 held messages').toBeLessThanOrEqual(2);
    // The END last, after every held byte.
    await waitFor(() => {
      const last = tunnel.frames.filter((f) => f.stream === stream && f.type !== 'WINDOW').at(-1);
      return last?.type === 'END' || (last?.type === 'DATA' && last.end);
    }, 'the END after the held bytes');
    const held = late().flatMap((f) => (f.type === 'DATA' ? [...f.data] : []));
    expect(held).toEqual(Array.from({ length: 1000 }, (_, i) => i % 256));
  });
});
