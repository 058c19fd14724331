/**
 * `GET /api/sessions/<session>/tcp/<port>`: raw TCP forwarding for the owner's `porthole forward`
 * (docs/tcp-forwarding.md). A WebSocket upgrade with the subprotocol `porthole.tcp.v1` becomes one
 * TCP connection to 127.0.0.1:<port> in the VM, through the session's tunnel; the same GET without
 * an upgrade is the check `porthole forward` makes before it listens: 200 `{port, process?,
 * visibility}`, or the refusal a connection would get.
 *
 * Who may: the session's owner (an owner token as Bearer, or signed in as the owner: identity cookie
 * or Access assertion), and a signed-in member of the session's organisation on a port whose
 * visibility admits members (`org`, `public`). Never a share link's holder nor anyone without a
 * credential: a public port stays HTTP only, nor a page of another site with the sign-in its browser
 * carries (403 `cross_site`). The Session object checks the port and the visibility.
 */
import { Hono } from 'hono';
import { TCP_SUBPROTOCOL } from '../../protocol';
import { isSessionId } from '../../protocol/ids';
import { grantOf, requireEpoch } from '../access/owner-grant';
import { bearerRefused, refusal, tokenForOtherSession } from '../access/refusals';
import { identitySignedOut, notInOrg } from '../access/identity-refusals';
import { config } from '../config';
import type { AppEnv, Env } from '../env';
import { notFound } from '../errors';
import { badRequest } from '../control-errors';
import { IDENTITY_TTL_SECONDS, rememberSession } from '../identity/identity-cookie';
import { verifiedEmail } from '../identity/identity';
import { sessionRole } from '../identity/session-role';
import { signedIn } from '../identity/signed-in';
import { sessionStub } from '../routing/stub';
import { type TcpRoute, withRoute } from '../routing/route';
import { bearer, bearerClaims, offersSubprotocol, portOf } from './input';

export const forward = new Hono<AppEnv>();

forward.get('/tcp/:port', async (c) => {
  const session = c.req.param('session') ?? '';
  if (!isSessionId(session)) throw notFound();
  const port = portOf(c.req.param('port'));
  const request = c.req.raw;
  const { viewer, remember } = await forwardViewer(request, c.env, session);
  const upgrade = request.headers.get('upgrade')?.toLowerCase() === 'websocket';
  if (upgrade) {
    if (!offersSubprotocol(request, TCP_SUBPROTOCOL)) {
      throw badRequest(`A forwarded connection speaks the WebSocket subprotocol ${TCP_SUBPROTOCOL}.`);
    }
  }
  const clientIp = request.headers.get('cf-connecting-ip');
  const answer = await sessionStub(c.env, session).fetch(
    withRoute(request, { kind: 'tcp', port, viewer, upgrade, clientIp }),
  );
  if (remember === null || answer.status >= 400) return answer;
  // The sign-in now remembers this session, so that signing out ends what it forwards (grants.ts).
  const headers = new Headers(answer.headers);
  headers.append('set-cookie', remember);
  return new Response(answer.body, { status: answer.status, headers, webSocket: answer.webSocket });
});

/**
 * Who `request` is to `session` for forwarding: the owner (owner token, or an identity the session
 * names as its owner) or a member of its organisation. Throws 401 without a credential (or with a
 * refused one), 403 `not_in_org` for a signed-in stranger, 401 `signed_out` after a sign-out.
 * `remember`: the identity cookie again, remembering this session for sign-out (null when unchanged,
 * or not an identity cookie).
 */
async function forwardViewer(
  request: Request,
  env: Env,
  session: string,
): Promise<{ viewer: TcpRoute['viewer']; remember: string | null }> {
  const cfg = config(env);
  const stub = sessionStub(env, session);
  if (bearer(request) !== null) {
    const claims = await bearerClaims(request, cfg, 'owner', 'TCP forwarding needs an owner token');
    if (claims.session !== session) throw tokenForOtherSession();
    const epoch = await stub.ownerEpoch();
    requireEpoch(claims, epoch, 'token');
    return { viewer: { kind: 'owner', epoch: grantOf(claims).epoch, expiresAt: claims.expiresAt }, remember: null };
  }
  if (fromAnotherSite(request)) throw crossSiteForward();
  const who = await signedIn(request, cfg);
  if (who === null) {
    throw bearerRefused(
      'TCP forwarding needs an owner token (Authorization: Bearer <token>: porthole token in the session) ' +
        "or a sign-in as the session's owner or a member of its organisation.",
    );
  }
  const settings = await stub.sessionIdentity();
  const role = sessionRole(who.identity, settings, cfg.identity);
  if (role === 'none') throw notInOrg(who.identity);
  if (who.sid !== null && (await stub.isIdentitySignedOut(who.sid, who.expiresAt - IDENTITY_TTL_SECONDS))) {
    throw identitySignedOut();
  }
  const email = verifiedEmail(who.identity);
  const remember = await rememberSession(cfg, who, session, new URL(request.url).protocol.slice(0, -1));
  const sid = who.sid === null ? {} : { sid: who.sid };
  if (role === 'owner') {
    const expiresAt = Math.min(settings.until ?? who.expiresAt, who.expiresAt);
    const epoch = await stub.ownerEpoch();
    return { viewer: { kind: 'owner', epoch, expiresAt, ...sid, ...(email ? { email } : {}) }, remember };
  }
  return { viewer: { kind: 'member', email, sid: who.sid, expiresAt: who.expiresAt }, remember };
}

/**
 * Whether a page of another site (a preview, any site, an opaque origin) started `request`: a
 * browser attaches the identity cookie, and Access its assertion, to a WebSocket any page opens,
 * so a sign-in counts only from `porthole forward` (no `Origin`) or the control plane's own pages
 * (`Origin` its own, `Sec-Fetch-Site` absent, `same-origin` or `none`). An owner token is never
 * ambient: a page cannot attach it without holding it.
 */
function fromAnotherSite(request: Request): boolean {
  const origin = request.headers.get('origin');
  if (origin !== null && origin !== new URL(request.url).origin) return true;
  const site = request.headers.get('sec-fetch-site');
  return site !== null && site !== 'same-origin' && site !== 'none';
}

/** 403 `cross_site`: a sign-in carried by a request another site's page started. */
const crossSiteForward = () =>
  refusal(
    403,
    'cross_site',
    'A page of another site may not forward TCP with your sign-in. Run porthole forward on your machine.',
  );
