/**
 * Progress for a tool call that takes a while (wait_for_port waits up to its timeout): when the
 * agent's host asked for progress (a `progressToken`), a `notifications/progress` every
 * PROGRESS_MS says the call is still running, so a host that resets its own request timeout on
 * progress (the SDK's `resetTimeoutOnProgress`) does not give up on a wait it asked for.
 */
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';

/** Milliseconds between progress notifications while a call runs. */
export const PROGRESS_MS = 1000;

/** Starts the notifications for this call (none without a progressToken); the returned function stops them. */
export function keepReporting(extra: RequestHandlerExtra<ServerRequest, ServerNotification>, what: string): () => void {
  const progressToken = extra._meta?.progressToken;
  if (progressToken === undefined) return () => {};
  const started = Date.now();
  let ticks = 0;
  const timer = setInterval(() => {
    ticks += 1;
    const seconds = Math.round((Date.now() - started) / 1000);
    extra
      .sendNotification({
        method: 'notifications/progress',
        params: { progressToken, progress: ticks, message: `${what}: still running after ${seconds} s` },
      })
      .catch((error: unknown) => process.stderr.write(`porthole mcp: progress not sent: ${String(error)}\n`));
  }, PROGRESS_MS);
  return () => clearInterval(timer);
}
