/**
 * The access policy (README, "Who can open a preview"): which viewer a port's
 * visibility lets through. Pure; admission.ts applies it to a request.
 */
import type { Visibility } from '../../protocol';

/** Who a request's credentials prove: the session's owner, a live reviewer link (by id), or no one in particular. */
export type Viewer = { kind: 'owner' } | { kind: 'reviewer'; link: string } | { kind: 'anyone' };

/** Whether `viewer` may open a port of this visibility. */
export function allowed(visibility: Visibility, viewer: Viewer): boolean {
  if (visibility === 'public' || viewer.kind === 'owner') return true;
  return visibility === 'link' && viewer.kind === 'reviewer';
}

/** A CORS preflight: OPTIONS with Origin and Access-Control-Request-Method (browsers send no cookie with it). */
export function isPreflight(request: Request): boolean {
  return (
    request.method === 'OPTIONS' &&
    request.headers.has('origin') &&
    request.headers.has('access-control-request-method')
  );
}
