/**
 * One viewer HTTP request over one tunnel stream: the request body is pumped
 * into the stream as the viewer sends it, and the response body is handed to
 * the runtime as a ReadableStream that pulls frames as the viewer reads.
 */
import { type Mux, type MuxStream, type OpenViewer, ResetCode } from '../../protocol';
import type { GatewayConfig } from '../config';
import { streamFailure } from '../errors';
import type { Deadlines } from './deadlines';
import { requestHeaders } from './headers';
import { discard, holdUntilUploaded, LINGER_MS } from './linger';
import { answer } from './response';
import type { ViewerRoute } from '../routing/route';

/**
 * Bytes asked of the runtime per read of a request body. With the default reader the runtime hands
 * over what one socket read gave (often ~4 KiB, each then a frame of its own); a BYOB read into a
 * 64 KiB view (MAX_DATA, one DATA frame) takes all that has arrived, up to it. A plain `read()`,
 * not `readAtLeast()`: the first bytes of a slow streaming upload are never held back.
 */
const READ_BYTES = 64 * 1024;

async function pumpBody(body: ReadableStream<Uint8Array>, stream: MuxStream, progress: () => void): Promise<void> {
  const reader = body.getReader({ mode: 'byob' });
  const read = async () => {
    const { done, value } = await reader.read(new Uint8Array(READ_BYTES));
    return done ? undefined : value;
  };
  try {
    for (let chunk = await read(); chunk !== undefined; chunk = await read()) {
      if (chunk.length === 0) continue;
      await stream.write(chunk);
      progress();
    }
    await stream.end();
    progress();
  } catch (error) {
    // Either the viewer's upload failed or the stream was reset (the origin answered early).
    stream.reset(ResetCode.CANCEL, 'the viewer request body failed');
    await discard(read, LINGER_MS);
    // Cancelling a body that already failed may reject too; the stream is reset either way.
    await reader.cancel(error).catch(() => {});
  }
}

/** The bridges' time limits, the config's fields as they are (ORIGIN_TIMEOUT, VIEWER_IDLE_TIMEOUT; seconds). */
export type Limits = Pick<GatewayConfig, 'originTimeoutSeconds' | 'viewerIdleSeconds'>;

export async function proxyHttp(
  mux: Pick<Mux, 'open'>,
  request: Request,
  route: ViewerRoute,
  limits: Limits,
  deadlines: Deadlines<object>,
  viewer: OpenViewer,
  email?: string,
): Promise<Response> {
  const timeoutSeconds = limits.originTimeoutSeconds;
  const url = route.url;
  const stream = mux.open({
    port: route.port,
    method: request.method,
    path: url.pathname + url.search,
    headers: requestHeaders(request, url, { ...route, upgrade: false, ...(email ? { email } : {}) }),
    host: route.host,
    hasBody: request.body !== null,
    upgrade: false,
    viewer,
  });
  // The origin has ORIGIN_TIMEOUT to answer from the last moment anything moved: an upload that
  // keeps going (for minutes, if it is big) is not cut; one the origin stopped reading is.
  let answered = false;
  const arm = () => {
    if (!answered) {
      deadlines.add(stream, timeoutSeconds * 1000, () =>
        stream.reset(ResetCode.TIMEOUT, `no response within ${timeoutSeconds} s`),
      );
    }
  };
  arm();
  let uploading = false;
  const uploaded = request.body ? pumpBody(request.body, stream, arm) : undefined;
  if (uploaded) {
    uploading = true;
    void uploaded.then(() => (uploading = false));
  }
  const hold = (response: Response) => (uploading && uploaded ? holdUntilUploaded(response, uploaded) : response);
  // A viewer that leaves while the origin is still thinking frees the stream at once.
  request.signal.addEventListener('abort', () => stream.reset(ResetCode.CANCEL, 'the viewer went away'), {
    once: true,
  });

  try {
    const head = await stream.head();
    answered = true;
    deadlines.delete(stream);
    return hold(await answer(stream, head, request.method, route, limits, deadlines));
  } catch (error) {
    return hold(streamFailure(error, route.port, timeoutSeconds).toResponse(request));
  } finally {
    answered = true;
    deadlines.delete(stream);
  }
}
