/**
 * The origin's answer as the viewer's Response: the head's status and headers (headers.ts), and a
 * body that passes as the origin sends it (a small one of known length whole, any other streamed
 * as the viewer reads, with the viewer-idle deadline and, for a quiet event stream, the comment-line
 * probe). Used for plain requests
 * and for an upgrade the origin refused, whose answer is as big as the origin makes it.
 */
import { type MuxStream, ResetCode, type ResponseHead, StreamResetError } from '../../protocol';
import type { Deadlines } from './deadlines';
import { responseHeaders } from './headers';
import type { Limits } from './http-bridge';
import { probeable, QuietProbe } from './probe';
import type { ViewerRoute } from '../routing/route';

const NULL_BODY_STATUS = new Set([101, 204, 205, 304]);
/** The statuses a Response can carry (the runtime throws on any other). */
const FINAL_STATUS = (status: number) => Number.isInteger(status) && status >= 200 && status <= 599;
/** Bodies up to this size with a declared length are sent whole. */
const SMALL_BODY = 64 * 1024;

/**
 * The Response for `head`, the origin's answer on `stream` to a `method` request.
 * @throws StreamResetError ORIGIN_ERROR for a status no Response can carry (a 1xx as the final
 *   answer: 502, not the runtime's 500) or a small body that breaks its Content-Length; the
 *   caller turns it into the viewer's error page (errors.ts streamFailure).
 */
export async function answer(
  stream: MuxStream,
  head: ResponseHead,
  method: string,
  route: ViewerRoute,
  limits: Limits,
  deadlines: Deadlines<object>,
): Promise<Response> {
  if (!FINAL_STATUS(head.status)) {
    // The client skips interim 1xx answers (103 Early Hints, 100 Continue); one that arrives as the
    // final answer (a 101 to a plain request, a hostile client) cannot be a Response: a 502, not a 500.
    stream.reset(ResetCode.PROTOCOL_ERROR, `status ${head.status} is not a final answer`);
    throw new StreamResetError(
      ResetCode.ORIGIN_ERROR,
      `it answered with status ${head.status}, which is not a final answer`,
      false,
    );
  }
  const headers = responseHeaders(head.headers, route.url.hostname);
  if (method === 'HEAD' || NULL_BODY_STATUS.has(head.status)) {
    void drain(stream);
    return new Response(null, { status: head.status, headers });
  }
  const declared = Number(headers.get('content-length') ?? Number.NaN);
  const length = Number.isSafeInteger(declared) && declared >= 0 ? declared : undefined;
  // The origin's bytes pass as they are: a gzip body stays gzip for the viewer.
  const init = { status: head.status, headers, encodeBody: 'manual' as const };
  // A small body of known length is collected and sent whole: a JS stream per
  // response costs more in the runtime than the few frames it would carry.
  if (length !== undefined && length <= SMALL_BODY) return new Response(await collect(stream, length), init);
  const body = responseBody(stream, length, deadlines, limits.viewerIdleSeconds, probeable(headers, length));
  return new Response(body, init);
}

async function drain(stream: MuxStream): Promise<void> {
  try {
    while ((await stream.read()) !== null) {
      // A body where none is allowed (HEAD, 204, 304) is discarded.
    }
  } catch {
    // Reset while draining: nothing left to do.
  }
}

/**
 * The response body as the runtime pulls it. A viewer that stops reading for
 * `idleSeconds` is dropped, like nginx's send_timeout: the runtime does not
 * always cancel a body across the Worker → Durable Object hop when a viewer
 * disconnects, and a stream nobody reads would hold its origin request forever.
 * `probed` (an event stream, probe.ts): while it is quiet, SSE comment lines are
 * written so that a viewer that left is noticed at the failed write.
 */
export function responseBody(
  stream: Pick<MuxStream, 'read' | 'reset' | 'done'>,
  length: number | undefined,
  deadlines: Deadlines<object>,
  idleSeconds: number,
  probed: boolean,
): ReadableStream<Uint8Array> {
  const idle = {};
  const stalled = () => stream.reset(ResetCode.CANCEL, `the viewer read nothing for ${idleSeconds} s`);
  let probe: QuietProbe | null = null;
  void stream.done().then(() => {
    deadlines.delete(idle);
    probe?.stop();
  });
  const source = {
    start: (controller: ReadableStreamDefaultController<Uint8Array>) => {
      // A quiet event stream is probed, so a viewer that left is noticed (probe.ts).
      if (probed) probe = new QuietProbe(deadlines, (chunk) => controller.enqueue(chunk));
    },
    pull: async (controller: ReadableStreamDefaultController<Uint8Array>) => {
      deadlines.delete(idle);
      probe?.waiting();
      let chunk: Uint8Array | null;
      try {
        chunk = await stream.read();
        if (chunk && probe) chunk = probe.passed(chunk);
        else if (!chunk) probe?.stop();
      } catch (error) {
        probe?.stop();
        // The stream was reset (tunnel lost, origin failed): the viewer's response is aborted, and the
        // runtime logs this reason for the operator.
        controller.error(new Error(`porthole: response aborted mid-body: ${(error as Error).message}`));
        return;
      }
      if (chunk === null) {
        controller.close();
        return;
      }
      controller.enqueue(chunk);
      deadlines.add(idle, idleSeconds * 1000, stalled);
    },
    cancel: () => {
      deadlines.delete(idle);
      probe?.stop();
      stream.reset(ResetCode.CANCEL, 'the viewer went away');
    },
    // Lets workerd send Content-Length instead of chunked encoding.
    ...(length === undefined ? {} : { expectedLength: length }),
  };
  return new ReadableStream<Uint8Array>(source, { highWaterMark: 0 });
}

/** Read a whole body of known, small length. */
async function collect(stream: MuxStream, length: number): Promise<Uint8Array> {
  const body = new Uint8Array(length);
  let offset = 0;
  for (let chunk = await stream.read(); chunk !== null; chunk = await stream.read()) {
    if (offset + chunk.length > length) {
      stream.reset(ResetCode.PROTOCOL_ERROR, 'body longer than its content-length');
      throw new StreamResetError(ResetCode.ORIGIN_ERROR, 'the origin sent more than its content-length', false);
    }
    body.set(chunk, offset);
    offset += chunk.length;
  }
  if (offset !== length) {
    throw new StreamResetError(ResetCode.ORIGIN_ERROR, `the origin sent ${offset} of ${length} bytes`, false);
  }
  return body;
}
