import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { dialOptions } from '../../../../client/tunnel/dial';

let server: net.Server | undefined;
afterEach(() => server?.close());

/** The head of the first request a raw server on 127.0.0.1 receives when `dial` connects to it. */
async function headSeen(dial: (port: number) => void): Promise<string> {
  const seen = new Promise<string>((resolve) => {
    server = net.createServer((socket) => {
      let head = '';
      socket.on('data', (chunk) => {
        head += chunk.toString('latin1');
        if (head.includes('\r\n\r\n')) {
          resolve(head);
          socket.destroy();
        }
      });
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  dial((server!.address() as AddressInfo).port);
  return seen;
}

describe('dialOptions: the tunnel to the local runtime socket', () => {
  it.each([
    ['ws://porthole.localhost:8787/connect', 'GET http://porthole.localhost:8787/connect HTTP/1.1'],
    [
      'wss://porthole.localhost:8443/connect/ws?stream=7',
      'GET https://porthole.localhost:8443/connect/ws?stream=7 HTTP/1.1',
    ],
  ])('dials the runtime socket for %s and names the gateway URL in absolute form', async (address, line) => {
    const head = await headSeen((port) => {
      const url = new URL(address);
      // Nothing listens on the gateway's own port: only the runtime socket can see the request.
      const socket = new WebSocket(url, { ...dialOptions(url, { host: '127.0.0.1', port }) });
      socket.on('error', () => {});
    });
    const lines = head.split('\r\n');
    expect(lines[0]).toBe(line);
    expect(lines).toContain(`Host: ${new URL(address).host}`);
  });

  it('changes nothing without a runtime socket', () => {
    expect(dialOptions(new URL('ws://porthole.localhost:8787/connect'), undefined)).toEqual({});
  });
});
