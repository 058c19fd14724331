/**
 * The access policy (README, "Who can open a preview"): which visibility a port
 * has, and which viewer it lets through. Pure; admission.ts applies it to a request.
 */
import type { Visibility } from '../../protocol';

/** Who a request's credentials prove: the session's owner, a live reviewer link (by id), or no one in particular. */
export type Viewer = { kind: 'owner' } | { kind: 'reviewer'; link: string } | { kind: 'anyone' };

/** The visibility of a port nobody chose one for. */
export const DEFAULT_VISIBILITY: Visibility = 'private';

/** A port's effective visibility: the owner's explicit choice, else what the client asked for, else private. */
export function effectiveVisibility(owner: Visibility | undefined, client: Visibility | undefined): Visibility {
  return owner ?? client ?? DEFAULT_VISIBILITY;
}

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
