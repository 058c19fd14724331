/**
 * The client's data connection for one viewer WebSocket: a WebSocket to the
 * gateway's `/connect/ws?stream=<id>` with the session token, which the
 * gateway couples to the viewer's socket (docs/protocol.md, "Upgraded
 * streams"). Its messages are the viewer's, as the viewer sent them.
 */
import WebSocket from 'ws';
import { MAX_WEBSOCKET_MESSAGE } from '../../protocol';
import { lookup } from '../net/lookup';

export interface DataConnectionOptions {
  /** Base URL of the gateway's control domain, e.g. http://porthole.localhost:8787 */
  gateway: string;
  /** The session token, sent as `Authorization: Bearer`. */
  token: string;
  /** Milliseconds the handshake may take (default 10 000). */
  connectTimeoutMs?: number;
}

/** Dials the data connection of stream `stream` (the caller listens for open, close and unexpected-response). */
export type DialData = (stream: number) => WebSocket;

/** A DialData for one gateway and token. */
export function dataDialer(options: DataConnectionOptions): DialData {
  return (stream) => {
    const url = new URL(`/connect/ws?stream=${stream}`, options.gateway);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url, {
      headers: { authorization: `Bearer ${options.token}` },
      lookup,
      handshakeTimeout: options.connectTimeoutMs ?? 10_000,
      perMessageDeflate: false,
      // The runtime's own cap: it closes the viewer with 1009 before a bigger message gets here.
      maxPayload: MAX_WEBSOCKET_MESSAGE,
    });
    socket.binaryType = 'nodebuffer';
    return socket;
  };
}
