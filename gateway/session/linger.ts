/**
 * Lingering: what the gateway does with an upload whose answer came first (the origin answered
 * early, or the gateway's 504). The rest of it is read and discarded for a bounded time, and the
 * answer's end waits for that, as nginx's lingering_close does: a runtime that closes a connection
 * under unread upload bytes sends a reset, and the reset can destroy the answer before the viewer
 * reads it.
 */

/** The Workers runtime's FixedLengthStream, looked up where it runs (unit tests run this module's importers in Node). */
function runtime(): { FixedLengthStream: new (length: number) => TransformStream<Uint8Array, Uint8Array> } {
  return globalThis as unknown as ReturnType<typeof runtime>;
}

/**
 * How long the rest of an upload nobody takes any more is read and discarded, ms. The answer that
 * ended it (the origin's early 413, the gateway's 504) reaches the viewer only if the connection is
 * not closed under unread upload bytes: the reset those bytes cause can destroy the answer in
 * flight. nginx's lingering_close does the same (its lingering_time is 30 s).
 */
export const LINGER_MS = 5_000;

/**
 * `response` with its body's end held back until the upload has ended (sent, or discarded for up
 * to LINGER_MS): the runtime closes a connection whose request is unread as soon as the response
 * ends, and the reset that causes can destroy the answer before the viewer reads it. The bytes
 * themselves pass at once; with a Content-Length the viewer has the whole answer meanwhile.
 */
export function holdUntilUploaded(response: Response, uploaded: Promise<void>): Response {
  const body = response.body;
  if (!body) return response;
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  // With a known length the runtime keeps sending Content-Length (a plain stream would be chunked).
  const { readable, writable } =
    Number.isSafeInteger(declared) && declared >= 0
      ? new (runtime().FixedLengthStream)(declared)
      : new TransformStream<Uint8Array, Uint8Array>();
  void (async () => {
    await body.pipeTo(writable, { preventClose: true });
    await Promise.race([uploaded, new Promise((resolve) => setTimeout(resolve, LINGER_MS))]);
    await writable.close();
  })().catch((error: unknown) => writable.abort(error).catch(() => {}));
  const init = { status: response.status, statusText: response.statusText, headers: response.headers };
  return new Response(readable, { ...init, encodeBody: 'manual' } as ResponseInit);
}

/** Calls `read` and drops what it gives until it gives nothing more (the end), fails, or `ms` pass. */
export async function discard(read: () => Promise<Uint8Array | undefined>, ms: number): Promise<void> {
  const drained = (async () => {
    while ((await read()) !== undefined) {
      // Dropped.
    }
  })().catch(() => {});
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    void drained.then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}
