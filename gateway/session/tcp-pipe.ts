/**
 * One forwarded TCP connection: the owner's WebSocket (TCP_SUBPROTOCOL, protocol/forward.ts, accepted by
 * this object) ⇄ a raw TCP stream of the tunnel (docs/tcp-forwarding.md). The runtime's
 * `WebSocket.send()` queues without limit and shows nothing of what the peer read, so the owner's
 * side has a window of its own, as the multiplexer's streams do (RFC 9113 §5.2's model):
 * - binary messages are the connection's bytes, at most 64 KiB each;
 * - `window <n>` gives the other side n more bytes to send; each side starts with FORWARD_WINDOW;
 *   the owner gives back only what it was sent, in steps of at least FORWARD_WINDOW_STEP: every
 *   message it sends costs it window (an empty binary message, a window under a step or past what
 *   was sent is a break);
 * - `end` ends the sender's direction (a TCP half-close); no bytes may follow it;
 * - the close: 1000 once both directions ended; 1011 when the origin's connection failed or the
 *   tunnel was lost, 1008 when access was withdrawn or the owner broke these rules, each with the reason.
 * Origin → owner: a chunk is read from the stream (returning its credit to the client) only while
 * the owner has window, so this object holds at most one stream window plus the owner's. Owner →
 * origin: the owner's bytes are written to the stream (one write at a time; what comes meanwhile is
 * copied into one staging buffer) and its window is given back once they were sent within the
 * client's window, so this object holds at most FORWARD_WINDOW of them, however they were cut.
 */
import {
  END_MESSAGE,
  FORWARD_WINDOW,
  FORWARD_WINDOW_STEP,
  MAX_FORWARD_MESSAGE,
  type MuxStream,
  parseWindow,
  ResetCode,
  StreamResetError,
  windowMessage,
} from '../../protocol';
import { closeSocket } from './close-socket';

/** Pipe the accepted `socket` (the owner's) and the raw TCP `stream` of `port` into each other until both are done. */
export function pipeTcp(stream: MuxStream, socket: WebSocket, port: number): void {
  // With the runtime's standard binaryType (compatibility dates from 2024-11) a message would be a Blob.
  socket.binaryType = 'arraybuffer';
  let toOwner = FORWARD_WINDOW;
  let fromOwner = FORWARD_WINDOW;
  let written = 0;
  /**
   * Owner bytes that came while a write waited for the client's window, copied into one buffer: a
   * write (and its promises) per message would let tiny or empty messages cost the object far more
   * memory than their bytes. The window bounds them: at most FORWARD_WINDOW.
   */
  let staged: Uint8Array | null = null;
  let stagedLength = 0;
  let writing = false;
  /** Resolves the owner's `end` once the staged bytes were written. */
  let flushed: (() => void) | null = null;
  /** The END written for the owner's `end`, once it came. */
  let ownerEnd: Promise<void> | null = null;
  let originEnded = false;
  let wake: (() => void) | null = null;
  let over = false;
  /** The owner broke the rules: its socket is closing. */
  let refused = false;

  const send = (message: string | Uint8Array): boolean => {
    try {
      socket.send(message);
      return true;
    } catch {
      return false; // Closed meanwhile: the close handler resets the stream.
    }
  };
  const broken = (reason: string) => {
    refused = true; // The messages the runtime still hands us after this are dropped.
    over = true;
    wake?.();
    closeSocket(socket, 1008, reason);
    stream.reset(ResetCode.CANCEL, `the owner's side broke the forwarding protocol: ${reason}`);
  };

  socket.addEventListener('message', (event) => {
    if (refused) return;
    const data = event.data;
    if (typeof data === 'string') {
      const credit = parseWindow(data);
      if (credit !== null) {
        toOwner += credit;
        // The owner gives back what it took, in steps (so the messages it may send are as bounded as its bytes).
        if (credit < FORWARD_WINDOW_STEP) return broken(`a window of ${credit} bytes`);
        if (toOwner > FORWARD_WINDOW) return broken(`window past what was sent (${toOwner} bytes)`);
        wake?.();
      } else if (data === END_MESSAGE && !ownerEnd) {
        // After the bytes still staged.
        const before = writing ? new Promise<void>((resolve) => (flushed = resolve)) : Promise.resolve();
        ownerEnd = before.then(() => stream.end());
        finish();
      } else broken(data === END_MESSAGE ? 'a second end' : 'an unknown text message');
      return;
    }
    if (!(data instanceof ArrayBuffer)) return broken('a binary message the runtime gave as a Blob');
    const bytes = new Uint8Array(data);
    if (ownerEnd) return broken('bytes after end');
    if (bytes.length > MAX_FORWARD_MESSAGE) return broken(`a message of ${bytes.length} bytes`);
    if (bytes.length > fromOwner) return broken(`${bytes.length} bytes with only ${fromOwner} of window`);
    // A message must carry bytes: each costs this object a dispatch, and the runtime a queued event until then.
    if (bytes.length === 0) return broken('an empty message');
    fromOwner -= bytes.length;
    if (!writing) return write(bytes);
    // Staged while a write waits for the client's window: one copy, whatever the messages' sizes.
    staged ??= new Uint8Array(FORWARD_WINDOW);
    staged.set(bytes, stagedLength);
    stagedLength += bytes.length;
  });
  /** One write to the stream at a time; the owner's window comes back once its bytes went out. */
  const write = (bytes: Uint8Array) => {
    writing = true;
    stream.write(bytes).then(
      () => {
        written += bytes.length;
        if (written >= FORWARD_WINDOW_STEP) {
          fromOwner += written;
          if (send(windowMessage(written))) written = 0;
        }
        if (stagedLength > 0) {
          const next = (staged as Uint8Array).slice(0, stagedLength);
          stagedLength = 0;
          return write(next);
        }
        writing = false;
        flushed?.();
        flushed = null;
      },
      () => {}, // Reset: the stream's done() closes the socket.
    );
  };
  // Both directions ended: closed once the owner's END was sent (the stream is then closed too).
  const finish = () => {
    if (!ownerEnd || !originEnded) return;
    over = true;
    ownerEnd.then(
      () => closeSocket(socket, 1000, 'closed'),
      () => {}, // Reset meanwhile: done() closes the socket with why.
    );
  };
  const ownerGone = (reason: string) => {
    if (over && ownerEnd && originEnded) return; // Our own close after both ends.
    over = true;
    wake?.();
    stream.reset(ResetCode.CANCEL, reason);
  };
  socket.addEventListener('close', (event) =>
    ownerGone(event.reason || `the owner's side closed the connection (${event.code})`),
  );
  socket.addEventListener('error', () => ownerGone("the owner's side failed"));

  void (async () => {
    try {
      for (;;) {
        while (toOwner <= 0 && !over) await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        if (over) return;
        const chunk = await stream.read();
        if (chunk === null) {
          originEnded = true;
          send(END_MESSAGE);
          finish();
          return;
        }
        toOwner -= chunk.length;
        send(chunk);
      }
    } catch (error) {
      if (!(error instanceof StreamResetError)) throw error;
    }
  })();

  void stream.done().then((error) => {
    // Both ended: the pump still hands the owner what it has not read, then finish() closes.
    if (error === null) return;
    over = true;
    wake?.();
    closeSocket(socket, closeCodeOf(error), reasonOf(error, port));
  });
}

function closeCodeOf(error: StreamResetError): number {
  return error.code === ResetCode.REVOKED || error.code === ResetCode.FLOW_CONTROL ? 1008 : 1011;
}

function reasonOf(error: StreamResetError, port: number): string {
  if (error.code === ResetCode.TUNNEL_CLOSED) return 'the tunnel to the session was lost';
  if (error.code === ResetCode.CANCEL && !error.remote) return error.message;
  return error.remote ? error.message : `port ${port}: ${error.message}`;
}
