/**
 * The origin side of the client, one entry point: each stream the gateway
 * opens is replayed against the local port, as a WebSocket when the viewer
 * asked for an upgrade, as a raw TCP connection for the owner's `porthole forward` (v9), as an
 * HTTP request otherwise.
 */
import type { MuxStream } from '../../protocol';
import type { LogEntry } from '../requests/entry';
import { recordOutcome } from '../requests/outcome';
import type { DialData } from '../tunnel/data-connection';
import { type OriginOptions as HttpOptions, OriginProxy } from './http-proxy';
import { proxyTcp } from './tcp-proxy';
import { proxyWebSocket } from './ws-proxy';

export interface OriginOptions extends HttpOptions {
  /** Dials the gateway data connection of an upgraded stream (tunnel/data-connection.ts). */
  dialData: DialData;
}

export class Origin {
  readonly #http: OriginProxy;
  readonly #preserveHost: (port: number) => boolean;
  readonly #dialData: DialData;

  constructor(options: OriginOptions) {
    this.#preserveHost = (port) => options.preserveHost(port);
    this.#dialData = options.dialData;
    this.#http = new OriginProxy(options);
  }

  /**
   * Serve one stream opened by the gateway (its OPEN request is `stream.request`), recording it in
   * `entry` (null: the request log is off). Never throws: failures reset the stream.
   */
  serve(stream: MuxStream, entry: LogEntry | null): void {
    const open = stream.request;
    if (!open) return;
    if (entry) recordOutcome(stream, entry);
    if (open.tcp) proxyTcp(stream, open.port, entry);
    else if (open.upgrade) proxyWebSocket(stream, this.#preserveHost(open.port), this.#dialData, entry);
    else this.#http.handle(stream, open, entry);
  }

  /** Drop the kept-alive origin connections (open WebSockets end with their streams). */
  close(): void {
    this.#http.close();
  }
}
