/**
 * One tunnel stream without a tunnel: two multiplexers back to back in memory,
 * so that a replay reaches the origin through the very code a gateway stream
 * takes (origin/: Host rewriting, framing, loopback addresses, flow control),
 * with the replay in the gateway's seat.
 */
import { Mux, type MuxStream, type OpenRequest } from '../../protocol';

export interface MemoryStream {
  /** The gateway's end: write the request body, read the head and the response body. */
  stream: MuxStream;
  /** Drop both multiplexers (any stream still open is reset with TUNNEL_CLOSED). */
  close(): void;
}

/**
 * Open a stream carrying `open` and hand the client's end to `serve` (as the agent hands a
 * tunnel stream to its Origin). Frames are delivered on a microtask, as a real transport would:
 * a sender is never re-entered.
 */
export function memoryStream(open: OpenRequest, serve: (stream: MuxStream) => void): MemoryStream {
  const gateway: Mux = new Mux({
    role: 'gateway',
    send: (bytes) => queueMicrotask(() => client.receive(bytes)),
  });
  const client: Mux = new Mux({
    role: 'client',
    send: (bytes) => queueMicrotask(() => gateway.receive(bytes)),
    onOpen: serve,
  });
  const stream = gateway.open(open);
  return {
    stream,
    close: () => {
      gateway.close('replay finished');
      client.close('replay finished');
    },
  };
}
