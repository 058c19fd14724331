/**
 * porthole forward's side of one connection (client/forward/connection.ts) against a fake gateway
 * (a `ws` server speaking porthole.tcp.v1) that gives window slowly: a local program that writes and
 * closes at once, after the origin's side ended first, still has every byte delivered, then `end`.
 */
import { createHash } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { forwardConnection, type ForwardOutcome } from '../../../../client/forward/connection';
import { FORWARD_WINDOW_STEP, TCP_SUBPROTOCOL, windowMessage } from '../../../../protocol/forward';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

async function listening(server: net.Server | WebSocketServer): Promise<number> {
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return (server.address() as AddressInfo).port;
}

describe('a forwarded connection (owner side)', () => {
  it('sends every queued byte and then end after the local program closed, the origin having ended first', async () => {
    const gateway = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => TCP_SUBPROTOCOL });
    cleanups.push(() => gateway.close());
    const received = createHash('sha256');
    let bytes = 0;
    const outcome = new Promise<{ ended: boolean; code: number }>((resolve) => {
      gateway.on('connection', (ws: WebSocket) => {
        let ended = false;
        ws.send('end'); // The origin half-closed at once.
        ws.on('message', (data: Buffer, binary: boolean) => {
          if (!binary) {
            ended ||= data.toString() === 'end';
            if (ended) ws.close(1000, 'closed');
            return;
          }
          received.update(data);
          bytes += data.length;
          // Window back one step at a time, a turn of the event loop later: the owner's side waits often.
          if (bytes % FORWARD_WINDOW_STEP < data.length)
            setImmediate(() => ws.send(windowMessage(FORWARD_WINDOW_STEP)));
        });
        ws.on('close', (code) => resolve({ ended, code }));
      });
    });
    const gatewayPort = await listening(gateway);
    const outcomes: ForwardOutcome[] = [];
    const listener = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (local) =>
      forwardConnection(local, { url: `ws://127.0.0.1:${gatewayPort}/`, headers: {} }, (o) => outcomes.push(o)),
    );
    cleanups.push(() => listener.close());
    listener.listen(0, '127.0.0.1');
    const port = await listening(listener);

    const program = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    cleanups.push(() => program.destroy());
    await new Promise<void>((resolve) => program.once('end', () => resolve()));
    const sent = createHash('sha256');
    const total = 4 * 1024 * 1024;
    const block = Buffer.alloc(64 * 1024);
    for (let at = 0; at < total; at += block.length) {
      block.writeUInt32LE(at, 0);
      sent.update(block);
      if (!program.write(block)) await new Promise((resolve) => program.once('drain', resolve));
    }
    program.end();
    expect(await outcome).toEqual({ ended: true, code: 1000 });
    expect(bytes).toBe(total);
    expect(received.digest('hex')).toBe(sent.digest('hex'));
    expect(outcomes).toEqual([{ kind: 'closed', sent: total, received: 0 }]);
  });
});
