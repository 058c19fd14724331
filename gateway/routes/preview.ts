/**
 * Port previews: a request on a port host of the configured shape (routing/label.ts). The label is
 * checked statelessly first, so a forged host never wakes a Durable Object;
 * a genuine one goes to its session's object with its parsed route.
 */
import type { GatewayConfig } from '../config';
import type { Env } from '../env';
import { notFound } from '../errors';
import { type PortLabel, verifyLabel } from '../routing/label';
import { viewerAcceptEncoding, withRoute } from '../routing/route';
import { sessionStub } from '../routing/stub';
import { FRONT_LEFT_HEADER, frontRequestId, onViewerLeft, type WaitUntil } from '../routing/disconnect';

/**
 * `label` is the port label index.ts parsed from the host (which it checked was sent as is).
 * Throws 404 `not_found` for a label this gateway did not sign. A viewer that disconnects is
 * reported to the object by id (routing/disconnect.ts). The viewer's own Accept-Encoding travels
 * in the route: the runtime replaced the header (routing/route.ts viewerAcceptEncoding).
 */
export async function preview(
  request: Request,
  env: Env,
  ctx: WaitUntil,
  config: GatewayConfig,
  label: PortLabel,
): Promise<Response> {
  if (!(await verifyLabel(config.labelKey, label))) throw notFound();
  const stub = sessionStub(env, label.session);
  // The local front's word that a viewer left (routing/disconnect.ts): not a request for the origin.
  const left = request.method === 'POST' ? frontRequestId(request, FRONT_LEFT_HEADER) : null;
  if (left !== null) {
    ctx.waitUntil(stub.viewerLeft(left).catch((error: unknown) => console.warn('porthole: viewerLeft failed:', error)));
    return new Response(null, { status: 204 });
  }
  const tell = (id: string) => stub.viewerLeft(id);
  const requestId = onViewerLeft(request.signal, ctx, tell, frontRequestId(request) ?? crypto.randomUUID());
  const acceptEncoding = viewerAcceptEncoding(request);
  return stub.fetch(withRoute(request, { kind: 'viewer', port: label.port, requestId, acceptEncoding }));
}
