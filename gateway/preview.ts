/**
 * Port previews: a request on `<port>-<session>-<sig>.<domain>`. The label is
 * checked statelessly first, so a forged host never wakes a Durable Object;
 * a genuine one goes, unchanged, to its session's object.
 */
import type { Env } from './env';
import { notFound } from './errors';
import { sessionStub } from './routing/host';
import { type PortLabel, verifyLabel } from './routing/label';

export async function preview(request: Request, env: Env, label: PortLabel): Promise<Response> {
  if (!(await verifyLabel(env, label))) throw notFound();
  return sessionStub(env, label.session).fetch(request);
}
