/**
 * Who may open a port preview, decided in the Session object because the
 * port's visibility and the revoked links live there.
 *
 * Credentials a viewer can present, and nothing else:
 * - `X-Porthole-Token: <owner token>` (tools and agents);
 * - the Porthole cookie on this port's host: an owner cookie token or a
 *   reviewer's share token (browsers);
 * - `?porthole_login=` / `?porthole_share=` in the URL, exchanged for the
 *   cookie by exchange.ts.
 * A request that carries any of them never reaches the origin with them.
 */
import type { Visibility } from '../../protocol';
import { type TokenClaims, TokenError, type TokenKind, verifyToken } from '../auth/tokens';
import { GatewayError } from '../errors';
import type { Identity } from '../identity/identity';
import { isSiblingOrigin } from '../routing/host';
import type { ViewerRoute } from '../routing/route';
import { portCookieNames, readCookies } from './cookies';
import { TOKEN_HEADER } from './credentials';
import { addFrameAncestors, frameAncestors, refuseCrossSite, severOpener } from './cross-site';
import { exchange } from './exchange';
import { linkOnly, memberOnPrivate, notInOrg, notOwner, orgRequired } from './identity-refusals';
import { accessViewer, type IdentityContext, memberViewer, requireSignedIn } from './identity-viewer';
import { grantOf, requireEpoch } from './owner-grant';
import { allowed, isPreflight, type Viewer } from './policy';
import { refusalOrSignIn } from './signin';
import {
  cookieForOtherPort,
  linkNotLive,
  linkRequired,
  ownerTokenForOtherSession,
  privatePreview,
  reviewerOnPrivate,
  tokenRefused,
} from './refusals';

/** What admission asks of the session's share links (session/shares.ts ShareStore is one). */
export interface ShareLookup {
  /** A share link by id (its token's `jti`): live (with its id), revoked, or never issued. */
  link(id: string): Promise<{ state: 'live'; link: { id: string } } | { state: 'revoked' } | { state: 'unknown' }>;
  /** Spend the one-time login `id` (valid until `expiresAt`, epoch seconds): true the first time only. */
  useLogin(id: string, expiresAt: number): Promise<boolean>;
}

/** What admission needs of the session. */
export interface AccessContext extends IdentityContext {
  shares: ShareLookup;
  /** The port's effective visibility (the owner's choice, else the client's, else private). */
  visibility(port: number): Promise<Visibility>;
  /** The session's listening non-public ports: what one login link covers. */
  loginChain(): Promise<number[]>;
  /** Whether the port's app can answer now: the client is connected and announced the port. */
  answering(port: number): Promise<boolean>;
}

/** What a request's credentials prove, best first (owner, member, reviewer); and who it is signed in as, if Access says. */
interface Credentials {
  viewers: Viewer[];
  /** The Access identity of a request none of whose credentials let it in, to name it in the refusal. */
  identity: Identity | null;
}

const RANK: Record<Viewer['kind'], number> = { owner: 0, member: 1, reviewer: 2, anyone: 3, preflight: 4 };

/**
 * The viewers a request's header, Access assertion or cookie prove. Throws a refusal for a
 * credential that is presented but not good (expired, forged, revoked, signed out, or for another
 * port or session): a bad credential is never read as "anyone".
 *
 * A page on a parent domain can plant copies of the cookie, so every copy is tried; only when
 * none is good (and no Access assertion let the request in) is the first copy's refusal thrown
 * (and it clears the host-only cookie the gateway set, which is then not good either). When copies
 * beyond MAX_COOKIE_COPIES went untried, nothing is cleared.
 */
async function identify(ctx: AccessContext, request: Request, route: ViewerRoute): Promise<Credentials> {
  const header = request.headers.get(TOKEN_HEADER);
  if (header !== null) {
    const claims = await verified(ctx, header.trim(), ['owner'], (e) =>
      tokenRefused(e, 'token', route.port, route.scheme),
    );
    if (claims.session !== route.session) throw ownerTokenForOtherSession();
    requireEpoch(claims, await ctx.ownerEpoch(), 'token');
    return { viewers: [{ kind: 'owner', epoch: grantOf(claims).epoch, expiresAt: claims.expiresAt }], identity: null };
  }
  const access = await accessViewer(ctx, request);
  const viewers: Viewer[] = access?.viewer ? [access.viewer] : [];
  const copies = readCookies(request, portCookieNames(route.scheme));
  let refusal: GatewayError | null = null;
  for (const value of copies.values) {
    try {
      viewers.push(await cookieViewer(ctx, value, route));
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      refusal ??= error;
    }
  }
  if (viewers.length === 0 && refusal !== null) {
    if (copies.more) delete refusal.headers['set-cookie'];
    throw refusal;
  }
  viewers.sort((a, b) => RANK[a.kind] - RANK[b.kind]);
  return { viewers, identity: access?.identity ?? null };
}

/** The viewer one copy of the port cookie proves, or its refusal. */
async function cookieViewer(ctx: AccessContext, cookie: string, route: ViewerRoute): Promise<Viewer> {
  const claims = await verified(ctx, cookie, ['cookie', 'share', 'member'], (e) =>
    tokenRefused(e, 'cookie', route.port, route.scheme),
  );
  if (claims.session !== route.session || claims.port !== route.port) {
    throw cookieForOtherPort(route.port, route.scheme);
  }
  const clear = { scheme: route.scheme, clear: true };
  if (claims.kind === 'member') return memberViewer(ctx, claims, clear);
  if (claims.kind === 'cookie') {
    requireEpoch(claims, await ctx.ownerEpoch(), 'preview', clear);
    await requireSignedIn(ctx, claims, clear);
    const owner: Viewer = { kind: 'owner', epoch: grantOf(claims).epoch, expiresAt: claims.expiresAt };
    return claims.sid === undefined
      ? owner
      : { ...owner, sid: claims.sid, ...(claims.email ? { email: claims.email } : {}) };
  }
  const link = await ctx.shares.link(claims.jti ?? '');
  if (link.state !== 'live') throw linkNotLive(link.state, clear);
  return { kind: 'reviewer', link: link.link.id, expiresAt: claims.expiresAt };
}

/**
 * Why a request none of whose credentials let it in is refused, by the best it has: a reviewer on
 * a private port, a member on a private or link port, an Access identity the session does not
 * admit, or nothing (401 by visibility, which a browser's navigation turns into a sign-in).
 */
function refusalFor(visibility: Visibility, credentials: Credentials, port: number, scheme: string): GatewayError {
  const best = credentials.viewers[0];
  if (best?.kind === 'reviewer') return reviewerOnPrivate(port, scheme);
  const identity = credentials.identity;
  if (identity !== null) {
    if (visibility === 'private') return notOwner(identity);
    if (visibility === 'org') return notInOrg(identity);
    if (best?.kind === 'member') return linkOnly(identity);
  }
  if (visibility === 'private') return best?.kind === 'member' ? memberOnPrivate(port) : privatePreview(port);
  if (visibility === 'org') return orgRequired(port);
  return linkRequired(port);
}

async function verified(
  ctx: AccessContext,
  token: string,
  kinds: TokenKind[],
  refuse: (error: TokenError) => GatewayError,
): Promise<TokenClaims> {
  try {
    return await verifyToken(ctx.config, token, kinds);
  } catch (error) {
    throw error instanceof TokenError ? refuse(error) : error;
  }
}

/** Whether a refusal names the viewer's account: 403 `not_owner`, `not_in_org` or `link_required` (identity-refusals.ts). */
function namesViewer(response: Response): boolean {
  const code = response.headers.get('x-porthole-error');
  return response.status === 403 && (code === 'not_owner' || code === 'not_in_org' || code === 'link_required');
}

/** Admission of viewers to one session's previews. */
export class ViewerAccess {
  readonly #ctx: AccessContext;

  constructor(ctx: AccessContext) {
    this.#ctx = ctx;
  }

  /**
   * Whether this request may go on to the origin: resolves with the viewer,
   * or throws the refusal (401/403/410, HTML or JSON by the request's Accept).
   * A CORS preflight (policy.ts isPreflight: OPTIONS, no body) whose Origin is
   * another port of this session goes through without a credential (browsers
   * send none) as the viewer `preflight`: only its question reaches the app and
   * only the CORS part of the answer comes back (session/preflight.ts). Only while
   * the app can answer it: otherwise it gets the stranger's refusal, so it cannot
   * tell a stopped server from an offline session or a port never announced.
   * A browser's top-level navigation that would get a 401 is sent to the
   * control plane's sign-in instead (a 303, signin.ts).
   */
  async admit(request: Request, route: ViewerRoute): Promise<Viewer> {
    const visibility = await this.#ctx.visibility(route.port);
    if (visibility === 'public') return { kind: 'anyone' };
    // Before any credential is read: another site's request never spends or clears the owner's cookie.
    await refuseCrossSite(request, route, this.#ctx.config);
    let credentials: Credentials;
    try {
      credentials = await identify(this.#ctx, request, route);
    } catch (error) {
      throw error instanceof GatewayError ? await refusalOrSignIn(error, request, route, this.#ctx.config) : error;
    }
    const viewer = credentials.viewers.find((v) => allowed(visibility, v));
    if (viewer !== undefined) return viewer;
    if (
      credentials.viewers.length === 0 &&
      credentials.identity === null &&
      isPreflight(request) &&
      (await isSiblingOrigin(request.headers.get('origin'), route.session, route.host, this.#ctx.config)) &&
      (await this.#ctx.answering(route.port))
    ) {
      return { kind: 'preflight' };
    }
    const refusal = refusalFor(visibility, credentials, route.port, route.scheme);
    throw await refusalOrSignIn(refusal, request, route, this.#ctx.config);
  }

  /**
   * The origin's answer on a private or link port, framable only by this
   * session's own pages (cross-site.ts `frameAncestors`) and, when a page
   * elsewhere opened it, with no opener (`severOpener`); public ports' answers
   * as the app sent them.
   */
  async limitFraming(response: Response, request: Request, route: ViewerRoute): Promise<Response> {
    if ((await this.#ctx.visibility(route.port)) === 'public') return response;
    addFrameAncestors(response.headers, await frameAncestors(request, route, this.#ctx.config));
    // An app's own opener policy stands; without one, a page elsewhere keeps no handle on this one.
    if (!response.headers.has('cross-origin-opener-policy') && (await severOpener(request, route, this.#ctx.config))) {
      response.headers.set('cross-origin-opener-policy', 'same-origin');
    }
    return response;
  }

  /** A request with `?porthole_login=` or `?porthole_share=`: answered by the gateway (exchange.ts). */
  async exchange(request: Request, route: ViewerRoute): Promise<Response> {
    // A browser already in as the owner keeps that: a reviewer link another page sent it to must not
    // replace the owner's cookie with someone else's credential (login fixation).
    const credentials = await identify(this.#ctx, request, route).catch((error: unknown) => {
      if (error instanceof GatewayError) return { viewers: [], identity: null };
      throw error;
    });
    const owner = credentials.viewers[0]?.kind === 'owner';
    return exchange(this.#ctx, request, route, await this.#ctx.visibility(route.port), owner);
  }

  /**
   * A refusal as the viewer gets it: a front end on another port of this
   * session may read why its call was refused (Access-Control-Allow-Origin),
   * unless the refusal names the viewer's account.
   */
  async corsForSibling(response: Response, request: Request, route: ViewerRoute): Promise<Response> {
    // Not a refusal that names the viewer's account (identity-refusals.ts): a sibling's page is the
    // session's app, which is never told who views (FORWARD_EMAIL off, OPEN's `org` viewer).
    if (namesViewer(response)) return response;
    const origin = request.headers.get('origin');
    if (origin && (await isSiblingOrigin(origin, route.session, route.host, this.#ctx.config))) {
      response.headers.set('access-control-allow-origin', origin);
      response.headers.set('access-control-allow-credentials', 'true');
      response.headers.append('vary', 'Origin');
    }
    return response;
  }
}
