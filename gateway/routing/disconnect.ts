/**
 * The viewer's disconnect, carried across the Worker → Session object hop. A
 * viewer that disconnects aborts `request.signal` in the Worker (the
 * `enable_request_signal` flag), but the runtime does not pass that on to the
 * Session object: the Worker names each forwarded request with a random id
 * (routing/route.ts `requestId`) and, on the abort, tells the object by RPC
 * (`viewerLeft`), which resets that request's stream at once, whatever state
 * it is in. The local runtime reports no disconnect of a waiting request at
 * all; session/probe.ts covers quiet event streams there.
 */

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
): string {
  const requestId = crypto.randomUUID();
  const left = () => {
    ctx.waitUntil(tell(requestId).catch((error: unknown) => console.warn('porthole: viewerLeft failed:', error)));
  };
  signal.addEventListener('abort', left, { once: true });
  return requestId;
}
