/**
 * The sign-in endpoint's identity branch (`/s/<session>/open`, routes/signin.ts; docs/identity.md):
 * a browser with no owner cookie on the control plane but signed in with the team's provider
 * (identity cookie, or a Cloudflare Access assertion) is sent to the port with a one-time ticket
 * by what it is to the session:
 * - the owner: an owner `login` ticket (grant: the session token's expiry, cut to the sign-in's;
 *   the current sign-out epoch), carrying the sign-in's `sid` and email;
 * - a member of the session's organisation, on an `org` (or public) port: a `memberLogin` ticket;
 * - otherwise a 403 naming the account: `not_owner` (private), `not_in_org` (org),
 *   `link_required` (link).
 * Not signed in, or by a sign-in signed out of this session, with OIDC configured: a 303 to
 * `/auth/login`, back here afterwards with a fresh proof (PROOF_RETURN_TTL_SECONDS: a sign-in at the
 * provider takes longer than a redirect); without OIDC, such a sign-in is 401 `signed_out`.
 */
import { identitySignedOut, linkOnly, notInOrg, notOwner } from '../access/identity-refusals';
import type { OwnerGrant } from '../access/owner-grant';
import { PROOF_PARAM } from '../access/signin';
import { mintToken } from '../auth/tokens';
import type { GatewayConfig } from '../config';
import type { Env } from '../env';
import { verifiedEmail } from '../identity/identity';
import { IDENTITY_TTL_SECONDS, rememberSession } from '../identity/identity-cookie';
import { sessionRole } from '../identity/session-role';
import { type SignedIn, signedIn } from '../identity/signed-in';
import { sessionStub } from '../routing/stub';

/** How long the proof in a sign-in's return path is good for: 10 minutes, in seconds. */
export const PROOF_RETURN_TTL_SECONDS = 10 * 60;

/** A ticket to mint for the port: its kind and claims. */
export interface IdentityTicket {
  kind: 'login' | 'memberLogin';
  /** The owner's grant (kind `login` only). */
  grant: OwnerGrant | null;
  /** When the sign-in ends, seconds since the epoch (kind `memberLogin`: its port cookie ends then too). */
  until?: number;
  sid?: string;
  email?: string;
  /** The identity cookie again, remembering this session for sign-out; null when unchanged. */
  remember: string | null;
}

/** What the identity branch decided: a ticket, a sign-in first, or nothing to say (no provider configured). */
export type IdentityOutcome = { kind: 'ticket'; ticket: IdentityTicket } | { kind: 'sign_in'; location: string } | null;

/** The control plane's sign-in, coming back to this very `/open` with a proof that outlives the provider's pages. */
async function signInFirst(cfg: GatewayConfig, url: URL, session: string, port: number, path: string): Promise<string> {
  const proof = await mintToken(cfg, 'handover', {
    session,
    port,
    ret: path,
    ttlSeconds: PROOF_RETURN_TTL_SECONDS,
  });
  const back = new URLSearchParams({ port: String(port), path, [PROOF_PARAM]: proof });
  const returnPath = `/s/${session}/open?${back.toString()}`;
  return `${url.origin}/auth/login?${new URLSearchParams({ return: returnPath }).toString()}`;
}

async function ticketFor(
  env: Env,
  cfg: GatewayConfig,
  who: SignedIn,
  session: string,
  port: number,
  scheme: string,
): Promise<IdentityTicket> {
  const stub = sessionStub(env, session);
  const settings = await stub.sessionIdentity();
  const role = sessionRole(who.identity, settings, cfg.identity);
  const email = verifiedEmail(who.identity) ?? undefined;
  const common = {
    ...(who.sid !== null ? { sid: who.sid } : {}),
    ...(email !== undefined ? { email } : {}),
    remember: await rememberSession(cfg, who, session, scheme),
  };
  if (role === 'owner') {
    const until = Math.min(settings.until ?? who.expiresAt, who.expiresAt);
    return { kind: 'login', grant: { until, epoch: await stub.ownerEpoch() }, ...common };
  }
  const visibility = await stub.portVisibility(port);
  if (role === 'member' && (visibility === 'org' || visibility === 'public')) {
    return { kind: 'memberLogin', grant: null, until: who.expiresAt, ...common };
  }
  if (visibility === 'private') throw notOwner(who.identity);
  if (visibility === 'org') throw notInOrg(who.identity);
  throw linkOnly(who.identity);
}

/**
 * What a browser signed in by identity gets at `/open` for `port` and `path` (already checked:
 * a real hand-over of this session). Throws 403 refusals (above), 401 `access_assertion_invalid`.
 */
export async function openByIdentity(
  request: Request,
  env: Env,
  cfg: GatewayConfig,
  session: string,
  port: number,
  path: string,
): Promise<IdentityOutcome> {
  const url = new URL(request.url);
  const who = await signedIn(request, cfg);
  // A sign-in signed out of this session gets no ticket. Asked by when the sign-in began, not by the
  // ticket's own issue time: after a flood of sign-outs (identity-store.ts cutoff) the list is gone,
  // and a kept copy of the identity cookie must not be let back in by a fresh ticket. It is sent to
  // sign in again (a new sign-in, after the cutoff), so a flood costs members only a round trip.
  const out =
    who !== null &&
    who.sid !== null &&
    (await sessionStub(env, session).isIdentitySignedOut(who.sid, who.expiresAt - IDENTITY_TTL_SECONDS));
  if (who !== null && !out) {
    return { kind: 'ticket', ticket: await ticketFor(env, cfg, who, session, port, url.protocol.slice(0, -1)) };
  }
  if (cfg.identity.oidc === null) {
    if (out) throw identitySignedOut();
    return null;
  }
  return { kind: 'sign_in', location: await signInFirst(cfg, url, session, port, path) };
}
