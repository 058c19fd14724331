/**
 * One forwarded connection on the owner's machine (`porthole forward`, docs/tcp-forwarding.md): a
 * local TCP connection ⇄ a WebSocket to the gateway (subprotocol TCP_SUBPROTOCOL), which the
 * gateway joins to a raw TCP stream of the session's tunnel. The messages and windows are
 * protocol/forward.ts's:
 * - local → gateway: the local bytes, cut to MAX_FORWARD_MESSAGE, sent only within the window the
 *   gateway gave; the local socket is paused while bytes wait for window;
 * - gateway → local: each message written to the local socket; its window is given back once the
 *   socket flushed it (`write`'s callback), so a local program that does not read holds the origin back;
 * - `end` either way is a TCP half-close (the local FIN, or `socket.end()`);
 * - the gateway refusing the connection (its HTTP answer to the upgrade: credential, session
 *   offline, port not listening …) or closing it with an error resets the local connection: the
 *   local program sees a reset, never a clean end, and `report` gets the reason.
 */
import type { IncomingMessage } from 'node:http';
import type net from 'node:net';
import WebSocket from 'ws';
import {
  END_MESSAGE,
  FORWARD_WINDOW,
  FORWARD_WINDOW_STEP,
  MAX_FORWARD_MESSAGE,
  parseWindow,
  TCP_SUBPROTOCOL,
  windowMessage,
} from '../../protocol/forward';
import { PortholeApiError } from '../net/http';
import { lookup } from '../net/lookup';

/** Where each connection goes: the forward URL (ws: or wss:) and the credential's headers. */
export interface ForwardTarget {
  url: string;
  headers: Record<string, string>;
}

/** How a connection ended, for the command's report. */
export type ForwardOutcome =
  | { kind: 'closed'; sent: number; received: number }
  | { kind: 'refused'; error: PortholeApiError }
  | { kind: 'failed'; reason: string; sent: number; received: number };

/** Forward the local connection `local` to `target`; `done` gets how it ended, once. */
export function forwardConnection(
  local: net.Socket,
  target: ForwardTarget,
  done: (outcome: ForwardOutcome) => void,
): void {
  local.pause();
  // Small writes (a database's replies) go at once, not after Nagle's wait for an ACK.
  local.setNoDelay(true);
  const ws = new WebSocket(target.url, [TCP_SUBPROTOCOL], {
    headers: target.headers,
    lookup,
    perMessageDeflate: false,
    maxPayload: MAX_FORWARD_MESSAGE,
  });
  let credit = FORWARD_WINDOW;
  let flushed = 0;
  const queue: Buffer[] = [];
  let localEnded = false;
  let endSent = false;
  let sent = 0;
  let received = 0;
  let settled = false;
  const settle = (outcome: ForwardOutcome) => {
    if (settled) return;
    settled = true;
    done(outcome);
  };
  const fail = (reason: string) => {
    settle({ kind: 'failed', reason, sent, received });
    if (!local.destroyed) local.resetAndDestroy();
    if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.terminate();
  };

  // Local → gateway, within the window.
  const pump = () => {
    while (queue.length > 0 && credit > 0 && ws.readyState === WebSocket.OPEN) {
      let chunk = queue[0] as Buffer;
      if (chunk.length > credit) {
        queue[0] = chunk.subarray(credit);
        chunk = chunk.subarray(0, credit);
      } else queue.shift();
      credit -= chunk.length;
      sent += chunk.length;
      ws.send(chunk);
    }
    if (queue.length > 0) return;
    if (localEnded && !endSent && ws.readyState === WebSocket.OPEN) {
      endSent = true;
      ws.send(END_MESSAGE);
    } else if (!localEnded) local.resume();
  };
  local.on('data', (data: Buffer) => {
    for (let offset = 0; offset < data.length; offset += MAX_FORWARD_MESSAGE) {
      queue.push(data.subarray(offset, offset + MAX_FORWARD_MESSAGE));
    }
    local.pause();
    pump();
  });
  local.on('end', () => {
    localEnded = true;
    pump();
  });
  local.on('error', (error: NodeJS.ErrnoException) => {
    if (settled) return;
    settle({ kind: 'failed', reason: `the local connection failed: ${error.code ?? error.message}`, sent, received });
    if (ws.readyState === WebSocket.OPEN) ws.close(1011, 'the local connection was reset');
    else ws.terminate();
  });
  local.on('close', () => {
    // After a clean end the bytes still queued for window go on, then `end` (pump): closing now would
    // cut them (a local program that writes and closes at once, the origin having ended first).
    // Closed without an end (destroyed): the gateway is told, and the origin's connection reset.
    if (!settled && !localEnded && ws.readyState === WebSocket.OPEN) ws.close(1011, 'the local connection was closed');
  });

  ws.on('open', pump);
  ws.on('message', (data: Buffer, binary: boolean) => {
    if (binary) {
      received += data.length;
      local.write(data, () => {
        flushed += data.length;
        if (flushed < FORWARD_WINDOW_STEP || ws.readyState !== WebSocket.OPEN) return;
        ws.send(windowMessage(flushed));
        flushed = 0;
      });
      return;
    }
    const text = data.toString();
    const more = parseWindow(text);
    if (more !== null) {
      credit += more;
      pump();
    } else if (text === END_MESSAGE) local.end();
  });
  ws.on('close', (code: number, reason: Buffer) => {
    if (code === 1000) {
      settle({ kind: 'closed', sent, received });
      if (!local.destroyed) local.end();
      return;
    }
    fail(reason.toString() || `the gateway closed the connection (${code})`);
  });
  ws.on('unexpected-response', (_request, response: IncomingMessage) => {
    let text = '';
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => (text = (text + chunk).slice(0, 4096)));
    response.on('end', () => {
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = { message: text.slice(0, 300) || undefined };
      }
      settle({ kind: 'refused', error: PortholeApiError.from(response.statusCode ?? 0, body) });
      if (!local.destroyed) local.resetAndDestroy();
    });
  });
  ws.on('error', (error: Error) => fail(`cannot reach the gateway: ${error.message}`));
}
