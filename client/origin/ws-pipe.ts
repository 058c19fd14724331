/**
 * Two open WebSockets piped into each other (the origin's and the gateway
 * data connection), each direction with a budget: once more than
 * HIGH_WATER_BYTES handed to one socket are not yet written to its TCP
 * connection, the other socket is paused (it stops reading, so its peer is
 * held back by TCP) until they drop under LOW_WATER_BYTES. So what waits in
 * this process per direction is at most HIGH_WATER_BYTES plus one message
 * (≤ 32 MiB, MAX_WEBSOCKET_MESSAGE). Text and binary are kept apart; a close
 * crosses with its code and reason (RFC 6455 §7.4: a code that may not be
 * sent crosses as none; 1006, a dropped socket, as `dropped`'s code).
 */
import type WebSocket from 'ws';
import { closeReason, sendableCloseCode } from '../../protocol';

/** Bytes handed to a socket and not yet written out past which its source is paused. */
export const HIGH_WATER_BYTES = 1024 * 1024;
/** Bytes still unwritten under which a paused source resumes. */
export const LOW_WATER_BYTES = 256 * 1024;

export interface PipeEnd {
  socket: WebSocket;
  /** What the other side is told when this one drops without a close (1006): code and reason. */
  dropped: { code: number; reason: string };
  /** What the other side is told when this one sends a message over the size cap (ws closes it with 1009). */
  tooLarge: { code: number; reason: string };
}

/**
 * What the pipe tells of the traffic (the request log's entry): each message crossed, `out` from `a`
 * to `b`, `in` from `b` to `a`, of `bytes` bytes; and the code of the first close, as that socket
 * got it (1005: none; 1006: dropped).
 */
export interface PipeTap {
  message(direction: 'in' | 'out', bytes: number): void;
  closed(code: number): void;
}

/** Pipe `a` and `b` both ways; `onClosed` runs once both sockets are closed; `tap` hears of the traffic. */
export function pipeWebSockets(a: PipeEnd, b: PipeEnd, onClosed: () => void, tap?: PipeTap): void {
  let open = 2;
  const closed = () => {
    if (--open === 0) onClosed();
  };
  oneWay(a, b, closed, 'out', tap);
  oneWay(b, a, closed, 'in', tap);
}

function oneWay(from: PipeEnd, to: PipeEnd, closed: () => void, direction: 'in' | 'out', tap?: PipeTap): void {
  let unwritten = 0;
  let tooLarge = false;
  from.socket.on('message', (data: Buffer, isBinary: boolean) => {
    if (to.socket.readyState !== to.socket.OPEN) return;
    tap?.message(direction, data.length);
    unwritten += data.length;
    if (unwritten > HIGH_WATER_BYTES) from.socket.pause();
    to.socket.send(data, { binary: isBinary }, () => {
      unwritten -= data.length;
      if (unwritten < LOW_WATER_BYTES && from.socket.isPaused) from.socket.resume();
    });
  });
  from.socket.on('error', (error: Error & { code?: string }) => {
    // ws closes a socket that sent an oversized message with 1009; 'close' follows.
    if (error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') tooLarge = true;
  });
  from.socket.on('close', (code: number, reason: Buffer) => {
    tap?.closed(code);
    closed();
    if (to.socket.readyState === to.socket.CLOSED || to.socket.readyState === to.socket.CLOSING) return;
    if (tooLarge) to.socket.close(from.tooLarge.code, closeReason(from.tooLarge.reason));
    else if (code === 1006) to.socket.close(from.dropped.code, closeReason(from.dropped.reason));
    else {
      const sendable = sendableCloseCode(code);
      if (sendable === undefined) to.socket.close();
      else to.socket.close(sendable, closeReason(reason.toString('utf8')));
    }
  });
}
