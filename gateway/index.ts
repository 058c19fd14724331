/**
 * The Worker entry. The host decides first: the bare domain is the control
 * plane (hono routes in app.ts), a port label is a preview (preview.ts), and
 * any other host is not ours.
 */
import { app } from './app';
import type { Env } from './env';
import { GatewayError, notFound } from './errors';
import { preview } from './preview';
import { classifyHost } from './routing/host';

export { Session } from './session/session';

async function handle(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  const url = new URL(request.url);
  const target = classifyHost(url, env);
  if (target.kind === 'bare') return app.fetch(request, env, ctx);
  try {
    if (target.kind === 'unknown') throw notFound();
    // Labels are lowercase only: a Host the runtime had to normalise is not one we issued.
    const host = request.headers.get('host');
    if (host !== null && host.replace(/:\d+$/, '') !== url.hostname) throw notFound();
    return await preview(request, env, target.label);
  } catch (error) {
    if (error instanceof GatewayError) return error.toResponse(request);
    console.error('unhandled preview error', error);
    return new GatewayError(500, 'internal', 'The gateway failed to handle this request.').toResponse(request);
  }
}

export default { fetch: handle } satisfies ExportedHandler<Env>;
