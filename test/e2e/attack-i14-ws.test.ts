/**
 * FINDING (high): a viewer's WebSocket upgrade with a byte Node's http client refuses in a header
 * value (a control byte such as \x01 or DEL, in any header, Origin included) passes the runtime and the
 * gateway as a byte string; the client's proxyWebSocket (documented "Never throws") builds
 * `new WebSocket(url, protocols, { headers })`, which throws ERR_INVALID_CHAR synchronously, out of
 * the tunnel's frame handler: an uncaught exception in the client. The tunnel drops (1006) and every
 * preview of the session answers 502/503 until the CLI is restarted; one request from any viewer
 * who can reach one preview does it. A duplicated or malformed Sec-WebSocket-Protocol (`chat, chat`)
 * makes the same constructor throw a SyntaxError.
 * Fix: in proxyWebSocket, wrap the construction in try/catch and answer the stream (400/502 with
 * X-Porthole-Error) instead; and/or drop (or refuse with 400 at the gateway) header values with
 * [\x00-\x08\x0a-\x1f\x7f] after toByteString, and validate subprotocol tokens before dialing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, request, startAgent, startHarness, startOrigin } from './harness';

let h: Harness;
let origin: Awaited<ReturnType<typeof startOrigin>>;

beforeAll(async () => {
  h = await startHarness();
  origin = await startOrigin((_req, res) => res.end('ok'));
});

afterAll(async () => {
  await origin?.close();
  await h?.stop();
});

/** A raw upgrade request to `url` with `extra` header lines; resolves with what came back (or '' at close). */
async function upgrade(url: string, extra: string): Promise<string> {
  const net = await import('node:net');
  const head =
    `GET /ws HTTP/1.1\r\nHost: ${new URL(url).host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra}\r\n`;
  return new Promise((resolve, reject) => {
    const socket = net.connect(h.gateway.port, '127.0.0.1', () => socket.write(Buffer.from(head, 'latin1')));
    let got = '';
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('data', (c: Buffer) => {
      got += c.toString('latin1');
      if (got.includes('\r\n\r\n')) socket.destroy();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(got));
  });
}

describe('a viewer WebSocket upgrade with bytes the client cannot send', () => {
  for (const extra of ['X-T: a\x01b\r\n', 'Origin: a\x7fb\r\n', 'Sec-WebSocket-Protocol: chat, chat\r\n']) {
    it(`${JSON.stringify(extra)}: the viewer gets an answer and the tunnel client lives on`, async () => {
      const a = await startAgent(h, [origin.port]);
      const url = await a.agent.url(origin.port);
      try {
        const got = await upgrade(url, extra);
        expect(got.split('\r\n')[0]).toMatch(/^HTTP\/1\.1 \d{3} /);
        const after = await request(h.gateway, `${url}x`);
        expect(after.status).toBe(200);
      } finally {
        a.agent.stop();
      }
    }, 30_000);
  }
});
