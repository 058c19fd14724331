/**
 * A viewer's WebSocket over one upgraded tunnel stream. The client opens the
 * origin's WebSocket first; only when the origin accepted (101) does the
 * viewer get its socket, so a refusal reaches the viewer as the origin's own
 * HTTP answer. Messages cross in order, text and binary kept apart; a close
 * crosses with its code and reason; any failure closes the other side.
 *
 * The viewer's socket is accepted without hibernation: its messages live in
 * this object's memory, so the object stays awake while a preview's WebSocket
 * is open (the tunnel socket alone still lets it hibernate).
 */
import {
  type Mux,
  type MuxStream,
  ResetCode,
  sendableCloseCode,
  type StreamResetError,
  UpgradedStream,
} from '../../protocol';
import type { Deadlines } from './deadlines';
import { closeSocket } from './close-socket';
import { requestHeaders, responseHeaders } from './headers';
import { streamFailure } from '../errors';
import type { Limits } from './http-bridge';
import type { ViewerRoute } from '../routing/route';

/** Viewer → origin bytes allowed to wait for tunnel window before the viewer is told to slow down. */
const MAX_QUEUED = 8 * 1024 * 1024;

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

export async function proxyWebSocket(
  mux: Pick<Mux, 'open'>,
  request: Request,
  route: ViewerRoute,
  limits: Limits,
  deadlines: Deadlines<object>,
): Promise<Response> {
  const url = route.url;
  const stream = mux.open({
    port: route.port,
    method: 'GET',
    path: url.pathname + url.search,
    headers: requestHeaders(request, url, { ...route, upgrade: true }),
    host: route.host,
    hasBody: true,
    upgrade: true,
  });
  const timeoutSeconds = limits.originTimeoutSeconds;
  deadlines.add(stream, timeoutSeconds * 1000, () =>
    stream.reset(ResetCode.TIMEOUT, `no response within ${timeoutSeconds} s`),
  );
  try {
    const head = await stream.head();
    const headers = responseHeaders(head.headers, route.url.hostname);
    if (head.status !== 101) {
      // The origin refused the upgrade: its answer, as it gave it. Ending our direction fails only
      // when the stream was reset meanwhile, and collectAll below then throws that reset.
      void stream.end().catch(() => {});
      const body = await collectAll(stream);
      return new Response(body.length ? body : null, { status: head.status, headers });
    }
    const { 0: viewer, 1: server } = new WebSocketPair();
    server.accept();
    // Binary messages as ArrayBuffers (with current compatibility dates the default is Blob).
    server.binaryType = 'arraybuffer';
    bridge(new UpgradedStream(stream), server);
    return new Response(null, { status: 101, webSocket: viewer, headers });
  } catch (error) {
    return streamFailure(error, route.port, timeoutSeconds).toResponse(request);
  } finally {
    deadlines.delete(stream);
  }
}

async function collectAll(stream: MuxStream): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let chunk = await stream.read(); chunk !== null; chunk = await stream.read()) {
    chunks.push(chunk);
    size += chunk.length;
    if (size > 1024 * 1024) break; // An error page, not a download.
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}

function bridge(stream: UpgradedStream, socket: WebSocket): void {
  let closing = false;
  let queued = 0;

  // Viewer → origin. The runtime gives no backpressure on receive: bytes waiting for window are
  // counted, and a viewer far ahead of its origin is closed with 1013 rather than buffered forever.
  socket.addEventListener('message', (event: MessageEvent) => {
    const text = typeof event.data === 'string';
    const data = text ? utf8.encode(event.data as string) : new Uint8Array(event.data as ArrayBuffer);
    queued += data.length;
    if (queued > MAX_QUEUED) {
      closeSocket(socket, 1013, 'the preview is not reading fast enough; try again later');
      stream.reset(ResetCode.CANCEL, 'the viewer sent faster than the origin read');
      return;
    }
    stream.send(data, text).then(
      () => {
        queued -= data.length;
      },
      // A send fails only once the stream is reset; the origin → viewer loop below sees the same
      // reset and closes the viewer's socket with its reason.
      () => {},
    );
  });
  socket.addEventListener('close', (event: CloseEvent) => {
    if (closing) return;
    closing = true;
    // Fails only if the stream was reset meanwhile: the viewer has gone, so nobody is left to tell.
    stream.close(event.code, event.reason).catch(() => {});
  });
  socket.addEventListener('error', () => stream.reset(ResetCode.CANCEL, 'the viewer socket failed'));

  // Origin → viewer.
  void (async () => {
    try {
      for (;;) {
        const event = await stream.next();
        if (event === null) {
          closeSocket(socket, 1011, 'the session ended the connection');
          return;
        }
        if (event.type === 'close') {
          // No code when the origin's close had none it may send (docs/protocol.md, "Upgraded streams").
          closeSocket(socket, sendableCloseCode(event.code), event.reason);
          if (!closing) {
            closing = true;
            // Our answering close fails only if the stream was reset meanwhile: both sides are closed.
            stream.close(event.code, event.reason).catch(() => {});
          }
          return;
        }
        socket.send(event.text ? fromUtf8.decode(event.data) : event.data);
      }
    } catch (error) {
      const reason =
        (error as StreamResetError).code === ResetCode.TUNNEL_CLOSED
          ? 'the tunnel to the session was lost'
          : `the connection to the preview failed: ${(error as Error).message}`;
      closeSocket(socket, 1011, reason);
    }
  })();
}
