/**
 * The Worker entry: the request path starts here (viewer → Worker → Session
 * object). The config is checked first (a misconfigured gateway answers 500
 * `config_invalid` to everything), then the host is parsed once: CONTROL_DOMAIN
 * is the control plane (routes/control.ts), a port host of the configured shape
 * is a preview (routes/preview.ts), any other host is not ours (404, no Durable
 * Object woken). Every error of both takes
 * the one catch-all below.
 */
import { config } from './config';
import type { Env } from './env';
import { errorResponse, notFound } from './errors';
import { classifyHost, hostAsSent } from './routing/host';
import { control } from './routes/control';
import { preview } from './routes/preview';

export { Session } from './session/session';

async function handle(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
  try {
    const cfg = config(env);
    const url = new URL(request.url);
    // Host names are lowercase: a Host the runtime had to normalise (upper case, …) is none of ours.
    if (!hostAsSent(request.headers.get('host'), url)) throw notFound();
    const target = classifyHost(url, cfg);
    if (target.kind === 'control') return await control.fetch(request, env, ctx);
    if (target.kind === 'unknown') throw notFound();
    return await preview(request, env, ctx, cfg, target.label);
  } catch (error) {
    return errorResponse(error, request);
  }
}

export default { fetch: handle } satisfies ExportedHandler<Env>;
