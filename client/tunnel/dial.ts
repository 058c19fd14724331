/**
 * Where the tunnel and data connections are dialled. By default, the gateway's URL. The local gateway
 * (`porthole dev`) also offers its runtime's own socket (workerd's direct socket, proxy style): the
 * client dials that one, sending the request target in absolute form (RFC 9112 3.2.2) with the
 * gateway's URL, so the Worker sees the same URL as through the front server, and every frame of the
 * tunnel skips a hop (the front piping it both ways: two reads, two writes and a wakeup per frame).
 */
import net from 'node:net';
import type { ClientRequest } from 'node:http';
import type { ClientOptions } from 'ws';

/** A loopback socket of the local gateway's runtime, e.g. `{host: '127.0.0.1', port: 38595}`. */
export interface RuntimeSocket {
  host: string;
  port: number;
}

/**
 * The `ws` options that send the handshake for `url` (`ws:`/`wss:`) to `via` in plain HTTP with an
 * absolute target (`http:`/`https:` as the gateway's own scheme); none without `via`.
 */
export function dialOptions(url: URL, via: RuntimeSocket | undefined): ClientOptions {
  if (via === undefined) return {};
  const target = new URL(url);
  target.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  return {
    createConnection: () => net.connect({ host: via.host, port: via.port, noDelay: true }),
    // The request line is written at end(): name the gateway's URL there, not the socket's path.
    finishRequest: (request: ClientRequest) => {
      request.path = target.href;
      request.end();
    },
  };
}
