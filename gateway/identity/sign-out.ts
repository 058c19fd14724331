/**
 * Signing a browser's OIDC sign-in out (docs/identity.md): each session the identity cookie
 * remembers is told that its `sid` is signed out, so the port cookies and tickets minted for that
 * sign-in are refused from then on. Used by `POST /auth/logout` and by a new sign-in replacing an
 * old one (routes/auth.ts).
 */
import { isSessionId } from '../../protocol/ids';
import { COOKIE_TTL_SECONDS } from '../access/cookies';
import type { Env } from '../env';
import { GatewayError } from '../errors';
import { sessionStub } from '../routing/stub';
import type { SignedIn } from './signed-in';

/**
 * Tells every session of `signedIn` (at most MAX_REMEMBERED_SESSIONS) that its sid is signed out
 * until the latest any credential of it can live: a member's port cookie minted at the sign-in's
 * last moment lives COOKIE_TTL_SECONDS more (an owner's is cut to the sign-in's end). Nothing to do for an Access sign-in (no sid).
 * @param clear Set-Cookie clearing the identity cookie, sent with the refusal below anyway.
 * @throws 502 `signout_incomplete` when a session could not be told (the cookie is cleared all the same).
 */
export async function signOutEverywhere(env: Env, signedIn: SignedIn, clear: string): Promise<void> {
  const { sid } = signedIn;
  if (sid === null) return;
  const sessions = signedIn.sessions.filter((s) => isSessionId(s));
  const results = await Promise.allSettled(
    sessions.map((s) => sessionStub(env, s).signOutIdentity(sid, signedIn.expiresAt + COOKIE_TTL_SECONDS)),
  );
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length > 0) {
    throw new GatewayError(
      502,
      'signout_incomplete',
      `This browser is signed out, but ${failed.length} of ${sessions.length} sessions could not be told, so port logins it gave there may last until they expire. Try signing in and out again.`,
      { cause: failed[0]?.reason, headers: { 'set-cookie': clear } },
    );
  }
}
