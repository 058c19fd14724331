/**
 * The origin side of the client, one entry point: each stream the gateway
 * opens is replayed against the local port, as a WebSocket when the viewer
 * asked for an upgrade, as an HTTP request otherwise.
 */
import type { MuxStream } from '../../protocol';
import { OriginProxy } from './http-proxy';
import { proxyWebSocket } from './ws-proxy';

export interface OriginOptions {
  /** Whether the origin on this port sees the viewer's public Host instead of `localhost:<port>` (default: never). */
  preserveHost?(port: number): boolean;
}

export class Origin {
  readonly #http: OriginProxy;
  readonly #preserveHost: (port: number) => boolean;

  constructor(options: OriginOptions = {}) {
    this.#preserveHost = options.preserveHost ?? (() => false);
    this.#http = new OriginProxy({ preserveHost: this.#preserveHost });
  }

  /** Serve one stream opened by the gateway (its OPEN request is `stream.request`). Never throws: failures reset the stream. */
  serve(stream: MuxStream): void {
    const open = stream.request;
    if (!open) return;
    if (open.upgrade) proxyWebSocket(stream, this.#preserveHost(open.port));
    else this.#http.handle(stream);
  }

  /** Drop the kept-alive origin connections (open WebSockets end with their streams). */
  close(): void {
    this.#http.close();
  }
}
