/**
 * The access policy (README, "Who can open a preview"): which visibility a port
 * has, and which viewer it lets through. Pure; admission.ts applies it to a request.
 */
import type { OpenViewer, Visibility } from '../../protocol';

/**
 * Who a request's credentials prove: the session's owner, a live reviewer link (by id), or no one
 * in particular; `preflight` is no one in particular asking a CORS preflight's question from a
 * sibling port of a non-public port, who gets only that question forwarded and only the CORS
 * part of the answer (session/preflight.ts). An owner carries its grant's sign-out `epoch`, and
 * owner and reviewer the `expiresAt` of the credential (seconds since the epoch), so what they
 * open ends with it (session/grants.ts). An owner or `member` admitted by identity (docs/identity.md)
 * carries the verified `email`, which reaches the origin only with FORWARD_EMAIL=on, and the `sid` of
 * the sign-in its cookie came from (null/none for an Access assertion or an owner token), so that
 * signing out ends what it opened.
 */
export type Viewer =
  | { kind: 'owner'; epoch: number; expiresAt: number; email?: string; sid?: string }
  | { kind: 'member'; email: string | null; sid: string | null; expiresAt: number }
  | { kind: 'reviewer'; link: string; expiresAt: number }
  | { kind: 'anyone' }
  | { kind: 'preflight' };

/** Who the client is told sent a request (OPEN's `viewer`, v7): a reviewer by its link, no one in particular as `public`. */
export function openViewer(viewer: Viewer): OpenViewer {
  switch (viewer.kind) {
    case 'owner':
      return { kind: 'owner' };
    case 'member':
      return { kind: 'org' };
    case 'reviewer':
      return { kind: 'link', link: viewer.link };
    case 'anyone':
      return { kind: 'public' };
    case 'preflight':
      return { kind: 'preflight' };
  }
}

/** The email the origin is told (X-Porthole-Email): an identity-admitted viewer's, only with FORWARD_EMAIL=on. */
export function forwardedEmail(viewer: Viewer, config: { identity: { forwardEmail: boolean } }): string | undefined {
  if (!config.identity.forwardEmail) return undefined;
  if (viewer.kind === 'owner') return viewer.email;
  return viewer.kind === 'member' ? (viewer.email ?? undefined) : undefined;
}

/** The visibility of a port nobody chose one for. */
export const DEFAULT_VISIBILITY: Visibility = 'private';

/** A port's effective visibility: the owner's explicit choice, else what the client asked for, else private. */
export function effectiveVisibility(owner: Visibility | undefined, client: Visibility | undefined): Visibility {
  return owner ?? client ?? DEFAULT_VISIBILITY;
}

/**
 * Whether `viewer` may open a port of this visibility (docs/identity.md): the owner every port; a
 * reviewer `link` and `org` ports; a member of the session's organisation `org` ports; anyone
 * `public` ports.
 */
export function allowed(visibility: Visibility, viewer: Viewer): boolean {
  if (visibility === 'public' || viewer.kind === 'owner') return true;
  if (viewer.kind === 'reviewer') return visibility === 'link' || visibility === 'org';
  return viewer.kind === 'member' && visibility === 'org';
}

/**
 * A CORS preflight as a browser sends it (Fetch standard, CORS-preflight request): `OPTIONS` with
 * `Origin` and `Access-Control-Request-Method`, and no body (no `Transfer-Encoding`, no
 * `Content-Length` but 0, and none the runtime sees). Browsers send no cookie with it.
 */
export function isPreflight(request: Request): boolean {
  const length = request.headers.get('content-length');
  return (
    request.method === 'OPTIONS' &&
    request.headers.has('origin') &&
    request.headers.has('access-control-request-method') &&
    (length === null || length.trim() === '0') &&
    !request.headers.has('transfer-encoding') &&
    request.body === null
  );
}
