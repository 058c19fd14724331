/**
 * A viewer's WebSocket over one upgraded tunnel stream. The client opens the
 * origin's WebSocket first; only when the origin accepted (101) does the
 * viewer get its socket, so a refusal reaches the viewer as the origin's own
 * HTTP answer. The messages do not cross the tunnel: the viewer's socket is
 * one end of a WebSocketPair whose other end waits (data-sockets.ts) for the
 * client's data connection for this stream, and the runtime pumps the two
 * into each other with backpressure. The stream stays open as the
 * WebSocket's handle (it counts toward MAX_STREAMS) until the client ends it.
 */
import { type Mux, type OpenViewer, ResetCode } from '../../protocol';
import { DATA_CONNECTION_SECONDS, type DataSockets } from './data-sockets';
import type { Deadlines } from './deadlines';
import { requestHeaders, responseHeaders } from './headers';
import { streamFailure } from '../errors';
import type { Limits } from './http-bridge';
import { answer } from './response';
import type { ViewerRoute } from '../routing/route';

export async function proxyWebSocket(
  mux: Pick<Mux, 'open'>,
  request: Request,
  route: ViewerRoute,
  limits: Limits,
  deadlines: Deadlines<object>,
  dataSockets: DataSockets,
  viewer: OpenViewer,
  email?: string,
): Promise<Response> {
  const url = route.url;
  const stream = mux.open({
    port: route.port,
    method: 'GET',
    path: url.pathname + url.search,
    headers: requestHeaders(request, url, { ...route, upgrade: true, ...(email ? { email } : {}) }),
    host: route.host,
    // The viewer's messages go by the data connection, never as DATA: OPEN is also the gateway's END.
    hasBody: false,
    upgrade: true,
    viewer,
  });
  const timeoutSeconds = limits.originTimeoutSeconds;
  deadlines.add(stream, timeoutSeconds * 1000, () =>
    stream.reset(ResetCode.TIMEOUT, `no response within ${timeoutSeconds} s`),
  );
  try {
    const head = await stream.head();
    // The origin refused the upgrade (or never knew of WebSockets and served the page): its answer,
    // as it gave it and however big, read as the viewer reads it like any other response.
    if (head.status !== 101) return await answer(stream, head, 'GET', route, limits, deadlines);
    const headers = responseHeaders(head.headers, route.url.hostname);
    const { 0: viewer, 1: waiting } = new WebSocketPair();
    dataSockets.offer(stream, waiting, DATA_CONNECTION_SECONDS);
    return new Response(null, { status: 101, webSocket: viewer, headers });
  } catch (error) {
    return streamFailure(error, route.port, timeoutSeconds).toResponse(request);
  } finally {
    deadlines.delete(stream);
  }
}
