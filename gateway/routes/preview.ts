/**
 * Port previews: a request on `<port>-<session>-<sig>.<domain>`. The label is
 * checked statelessly first, so a forged host never wakes a Durable Object;
 * a genuine one goes to its session's object with its parsed route.
 */
import type { GatewayConfig } from '../config';
import type { Env } from '../env';
import { notFound } from '../errors';
import { type PortLabel, verifyLabel } from '../routing/label';
import { sessionStub } from '../routing/stub';
import { withRoute } from '../routing/route';

/** Throws 404 `not_found` for a label this gateway did not sign, or a Host the runtime had to normalise. */
export async function preview(request: Request, env: Env, config: GatewayConfig, label: PortLabel): Promise<Response> {
  // Labels are lowercase only: a Host the runtime had to normalise is not one we issued.
  const host = request.headers.get('host');
  if (host !== null && host.replace(/:\d+$/, '') !== new URL(request.url).hostname) throw notFound();
  if (!(await verifyLabel(config.labelKey, label))) throw notFound();
  return sessionStub(env, label.session).fetch(withRoute(request, { kind: 'viewer', port: label.port }));
}
