/**
 * The viewer's disconnect, carried across the Worker → Session object hop. A
 * viewer that disconnects aborts `request.signal` in the Worker (the
 * `enable_request_signal` flag), but the runtime does not pass that on to the
 * Session object: the Worker names each forwarded request with a random id
 * (routing/route.ts `requestId`) and, on the abort, tells the object by RPC
 * (`viewerLeft`), which resets that request's stream at once, whatever state
 * it is in. The local runtime reports no disconnect of a waiting request at
 * all, so the local front server (client/dev/front.ts), which sees its viewer
 * leave, says so itself: it names each request it forwards
 * (`X-Porthole-Front-Request`) and, when its viewer leaves before the answer
 * ended, sends a POST carrying that name in `X-Porthole-Front-Left` to the same
 * target (a preview's host names its session; an owner API read's path does).
 * Both headers are the front's: it drops them from what viewers send.
 */

/** The front's name for a request it forwards (22 base64url characters: 128 random bits). */
export const FRONT_REQUEST_HEADER = 'x-porthole-front-request';
/** The front's word that the viewer of the named request left. */
export const FRONT_LEFT_HEADER = 'x-porthole-front-left';
const FRONT_ID = /^[A-Za-z0-9_-]{22}$/;

/** The request id the front gave `request`, or null (none, or not of the front's shape). */
export function frontRequestId(request: Request, header = FRONT_REQUEST_HEADER): string | null {
  const id = request.headers.get(header);
  return id !== null && FRONT_ID.test(id) ? id : null;
}

/** The part of the Worker's ExecutionContext used here. */
export interface WaitUntil {
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * A new request id, and `tell(id)` run (under `ctx.waitUntil`) once `signal` aborts. A failed
 * `tell` is logged: the object may be gone, and with it the stream.
 */
export function onViewerLeft(
  signal: AbortSignal,
  ctx: WaitUntil,
  tell: (requestId: string) => Promise<unknown>,
  requestId: string = crypto.randomUUID(),
): string {
  const left = () => {
    ctx.waitUntil(tell(requestId).catch((error: unknown) => console.warn('porthole: viewerLeft failed:', error)));
  };
  signal.addEventListener('abort', left, { once: true });
  return requestId;
}
