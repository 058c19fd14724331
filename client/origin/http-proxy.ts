/**
 * Replays one tunnelled HTTP request against the local origin and streams the
 * answer back, honouring the stream's window in both directions.
 */
import { once } from 'node:events';
import http from 'node:http';
import { MAX_DATA, type MuxStream, type OpenRequest, ResetCode, StreamResetError } from '../../protocol';
import type { LogEntry } from '../requests/entry';
import { originRequestHeaders, rawToPairs } from './headers';
import { publicResponseHeaders } from './host-rewrite';
import { LOOPBACK } from './loopback';

export interface OriginOptions {
  /** Keep the viewer's public Host for this port instead of localhost:<port>. */
  preserveHost(port: number): boolean;
}

/**
 * Largest response head (status line and headers) read from an origin: twice the request-head
 * limit (gateway MAX_HEAD_BYTES, 32 KiB), since responses carry many Set-Cookie lines and large
 * policies (CSP). Node's default is 16 KiB; past this limit the viewer gets a 502 saying so.
 */
export const MAX_RESPONSE_HEAD_BYTES = 64 * 1024;

/** The reset reason when an origin's response head is over MAX_RESPONSE_HEAD_BYTES (Node's HPE_HEADER_OVERFLOW). */
export const HEAD_TOO_LARGE = `the origin's response head is over ${MAX_RESPONSE_HEAD_BYTES / 1024} KiB (Porthole's limit)`;

/**
 * Sets the head on a request not yet sent (headers given as an array would fix Node's framing at
 * once: `Transfer-Encoding: chunked` for a bodiless POST). The framing follows the viewer's:
 * - no body (the viewer sent neither Content-Length nor Transfer-Encoding): none, and no framing
 *   header either (Node would add `Content-Length: 0` or chunked);
 * - a body of known length: its Content-Length, as forwarded;
 * - a body of unknown length (the viewer's chunked upload): chunked, whatever the method (Node
 *   defaults to no framing for GET, DELETE, OPTIONS…).
 */
function frameRequest(request: http.ClientRequest, flat: string[], hasBody: boolean): void {
  for (let i = 0; i + 1 < flat.length; i += 2) request.appendHeader(flat[i] as string, flat[i + 1] as string);
  if (request.hasHeader('content-length') || request.hasHeader('transfer-encoding')) return;
  if (hasBody) {
    request.setHeader('transfer-encoding', 'chunked');
  } else {
    // Removing both marks them as deliberately absent: Node then sends the head without framing.
    request.removeHeader('content-length');
    request.removeHeader('transfer-encoding');
  }
}

export class OriginProxy {
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64 });
  /** Per port, the index in LOOPBACK that answered last: tried first next time. */
  readonly #preferred = new Map<number, number>();
  readonly #options: OriginOptions;

  constructor(options: OriginOptions) {
    this.#options = options;
  }

  close(): void {
    this.#agent.destroy();
  }

  /**
   * Serve one stream opened by the gateway, `open` its request, recording its head and bodies in
   * `entry` (null: not recorded; how it ends is requests/outcome.ts's). Never throws; failures reset
   * the stream.
   */
  handle(stream: MuxStream, open: OpenRequest, entry: LogEntry | null): void {
    const first = this.#preferred.get(open.port) ?? 0;
    this.#attempt(stream, entry, first, 0);
  }

  #attempt(stream: MuxStream, entry: LogEntry | null, addressIndex: number, tries: number): void {
    const open = stream.request!;
    const host = LOOPBACK[addressIndex % LOOPBACK.length] as string;
    let bodyStarted = false;
    let responded = false;
    let request: http.ClientRequest | undefined;
    const preserveHost = this.#options.preserveHost(open.port);
    try {
      request = http.request({
        host,
        port: open.port,
        method: open.method,
        path: open.path,
        setHost: false,
        agent: this.#agent,
        maxHeaderSize: MAX_RESPONSE_HEAD_BYTES,
      });
      // Every response header line, not Node's first 2000: the head is bounded in bytes instead.
      request.maxHeadersCount = 0;
      frameRequest(request, originRequestHeaders(open, preserveHost), open.hasBody);
    } catch (error) {
      // Node refuses heads it cannot send (bad characters in path or headers). A request already made
      // (a header refused) is connecting: dropped, and its socket's hang-up is nobody's error.
      request?.on('error', () => {}).destroy();
      stream.reset(ResetCode.PROTOCOL_ERROR, `request refused by the client: ${(error as Error).message}`);
      return;
    }

    const cancelled = (error: StreamResetError | null) => {
      if (error) request.destroy();
    };
    void stream.done().then(cancelled);

    // The request body is read from the tunnel only once the origin accepted the
    // connection, so a refused first address can be retried on the next one.
    const startBody = () => {
      if (bodyStarted) return;
      bodyStarted = true;
      if (!open.hasBody) {
        request.end();
        return;
      }
      // The head goes at once, not with the first body chunk: a viewer that sent
      // `Expect: 100-continue` holds its body until the origin (or its timer) lets it go.
      request.flushHeaders();
      void this.#pumpRequestBody(stream, request, entry);
    };
    if (!open.hasBody) startBody();
    request.on('socket', (socket) => {
      if (socket.connecting) socket.once('connect', startBody);
      else startBody();
    });

    request.on('error', (error: NodeJS.ErrnoException) => {
      if (responded || stream.state === 'reset') return;
      const noBodyRead = !open.hasBody || !bodyStarted;
      if (error.code === 'ECONNREFUSED' && noBodyRead && tries + 1 < LOOPBACK.length) {
        this.#attempt(stream, entry, addressIndex + 1, tries + 1);
        return;
      }
      // A kept-alive socket the origin closed meanwhile: one fresh try (Node's documented pattern).
      if (error.code === 'ECONNRESET' && request.reusedSocket && noBodyRead && tries < 3) {
        this.#attempt(stream, entry, addressIndex, tries + 1);
        return;
      }
      if (error.code === 'HPE_HEADER_OVERFLOW') {
        stream.reset(ResetCode.ORIGIN_ERROR, HEAD_TOO_LARGE);
        return;
      }
      const refused = error.code === 'ECONNREFUSED';
      stream.reset(
        refused ? ResetCode.REFUSED : ResetCode.ORIGIN_ERROR,
        refused ? `connection refused on ${LOOPBACK.join(' and ')}` : `${error.code ?? 'error'}: ${error.message}`,
      );
    });

    request.on('response', (response) => {
      responded = true;
      this.#preferred.set(open.port, addressIndex % LOOPBACK.length);
      void this.#pumpResponse(stream, response, preserveHost, entry);
    });
  }

  async #pumpRequestBody(stream: MuxStream, request: http.ClientRequest, entry: LogEntry | null): Promise<void> {
    try {
      for (let chunk = await stream.read(); chunk !== null; chunk = await stream.read()) {
        entry?.requestData(chunk);
        if (!request.write(chunk)) await once(request, 'drain');
      }
      request.end();
    } catch (error) {
      request.destroy();
      if (!(error instanceof StreamResetError)) {
        stream.reset(ResetCode.ORIGIN_ERROR, `sending the body failed: ${(error as Error).message}`);
      }
    }
  }

  async #pumpResponse(
    stream: MuxStream,
    response: http.IncomingMessage,
    preserveHost: boolean,
    entry: LogEntry | null,
  ): Promise<void> {
    const open = stream.request!;
    const method = open.method;
    try {
      const pairs = rawToPairs(response.rawHeaders);
      // With Host rewritten, a redirect built from it names the public origin again (host-rewrite.ts).
      const head = {
        status: response.statusCode ?? 502,
        headers: preserveHost ? pairs : publicResponseHeaders(pairs, open),
      };
      // A small body of known length (or none) travels in the RESPONSE frame itself.
      const length = Number(response.headers['content-length'] ?? Number.NaN);
      const bodiless = method === 'HEAD' || head.status === 204 || head.status === 304;
      if (bodiless || (Number.isSafeInteger(length) && length <= MAX_DATA)) {
        const parts: Buffer[] = [];
        for await (const chunk of response) parts.push(chunk as Buffer);
        if (!response.complete) throw new Error('the origin closed the connection mid-body');
        const body = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
        stream.respond(head, body);
        if (entry) {
          entry.head(head.status, head.headers);
          entry.responseData(body);
        }
        return;
      }
      stream.respond(head);
      entry?.head(head.status, head.headers);
      let ended = false;
      for await (const chunk of response) {
        // Once the parser has the whole message and nothing is left unread, this
        // chunk is the last: it carries the END (one frame fewer per response).
        ended = response.complete && response.readableLength === 0;
        entry?.responseData(chunk as Buffer);
        await stream.write(chunk as Buffer, { end: ended });
      }
      // A body cut short by the origin must not look complete to the viewer.
      if (!response.complete) throw new Error('the origin closed the connection mid-body');
      if (!ended) await stream.end();
    } catch (error) {
      response.destroy();
      if (!(error instanceof StreamResetError)) {
        stream.reset(ResetCode.ORIGIN_ERROR, (error as Error).message || 'origin response failed');
      }
    }
  }
}
