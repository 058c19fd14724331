/**
 * The viewer ends of upgraded streams, waiting for the client's data
 * connection (docs/protocol.md, "Upgraded streams"). A viewer's WebSocket is
 * one end of a WebSocketPair, returned in the viewer's 101; the other end is
 * kept here, never accepted, until the client dials `/connect/ws?stream=<id>`
 * and gets it in its own 101. The runtime then pumps the two sockets into each
 * other natively, with real backpressure: nothing of a message passes through
 * this object's memory, so a viewer that stops reading holds the origin back
 * instead of filling the object (workerd's accepted sockets queue without
 * bound and show no bufferedAmount).
 */
import { ResetCode, type MuxStream } from '../../protocol';
import { dataStreamAttached, unknownDataStream } from '../control-errors';
import { closeSocket } from './close-socket';
import type { Deadlines } from './deadlines';

interface Waiting {
  /** The un-accepted end of the viewer's pair; null once handed to the client. */
  socket: WebSocket | null;
  stream: MuxStream;
}

/**
 * Seconds the client has, from the viewer's 101, to make a WebSocket's data connection: one
 * handshake on a path the tunnel just used, so it is quick unless the client is broken or the
 * machine is very busy (measured under a loaded 2-core CI run: over 2 s for 8 at once).
 */
export const DATA_CONNECTION_SECONDS = 10;

/**
 * Milliseconds a data connection that arrives before its stream's 101 was seen may wait for it:
 * the client dials once the origin accepted, right after sending the RESPONSE on the tunnel, and
 * the two reach this object by different connections, in either order.
 */
const EARLY_ATTACH_MS = 5_000;
/** Data connections that may wait so at once (only the session's own client can make them). */
const MAX_EARLY = 64;

export class DataSockets {
  readonly #waiting = new Map<number, Waiting>();
  /** Data connections that came before their offer(), by stream id. */
  readonly #early = new Map<number, () => void>();
  readonly #deadlines: Deadlines<object>;

  constructor(deadlines: Deadlines<object>) {
    this.#deadlines = deadlines;
  }

  /**
   * Keep `socket` (the un-accepted end of the viewer's pair) for `stream` until the client attaches.
   * Without an attach within `timeoutSeconds`, or when the stream ends or is reset first, the viewer
   * is closed with 1011 and a reason, and the stream reset. The entry goes when the stream is done.
   */
  offer(stream: MuxStream, socket: WebSocket, timeoutSeconds: number): void {
    const entry: Waiting = { socket, stream };
    this.#waiting.set(stream.id, entry);
    this.#early.get(stream.id)?.();
    this.#deadlines.add(entry, timeoutSeconds * 1000, () =>
      this.#fail(entry, ResetCode.TIMEOUT, `the session made no data connection within ${timeoutSeconds} s`),
    );
    void stream.done().then((error) => {
      this.#deadlines.delete(entry);
      if (this.#waiting.get(stream.id) === entry) this.#waiting.delete(stream.id);
      if (entry.socket) {
        // A withdrawn grant (grants.ts) is a policy close, with its reason; anything else a failure.
        if (error?.code === ResetCode.REVOKED) this.#fail(entry, ResetCode.REVOKED, error.message, 1008);
        else {
          const reason =
            error?.code === ResetCode.TUNNEL_CLOSED
              ? 'the tunnel to the session was lost'
              : 'the session ended the connection';
          this.#fail(entry, ResetCode.CANCEL, reason);
        }
      }
    });
  }

  /**
   * The client's data connection for stream `id`: the 101 that couples it to the viewer. One that
   * came before the stream's 101 was seen waits up to EARLY_ATTACH_MS for it.
   * @throws GatewayError 404 `unknown_stream` (no such waiting WebSocket in this session), 409 `stream_attached`.
   */
  async attach(id: number): Promise<Response> {
    if (!this.#waiting.has(id) && !this.#early.has(id) && this.#early.size < MAX_EARLY) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, EARLY_ATTACH_MS);
        this.#early.set(id, () => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.#early.delete(id);
    }
    const entry = this.#waiting.get(id);
    if (!entry) throw unknownDataStream(id);
    if (!entry.socket) throw dataStreamAttached(id);
    const socket = entry.socket;
    entry.socket = null;
    this.#deadlines.delete(entry);
    return new Response(null, { status: 101, webSocket: socket });
  }

  /** Close the viewer with `closeCode` and `reason` (its end is accepted only to send that close), and reset the stream. */
  #fail(entry: Waiting, code: number, reason: string, closeCode = 1011): void {
    const socket = entry.socket;
    entry.socket = null;
    if (socket) {
      socket.accept();
      closeSocket(socket, closeCode, reason);
    }
    entry.stream.reset(code, reason);
  }
}
