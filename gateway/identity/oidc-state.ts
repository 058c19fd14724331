/**
 * What a sign-in must remember between `/auth/login` and `/auth/callback` (docs/identity.md): the
 * `state`, the `nonce`, the PKCE verifier and the path to return to, in one signed cookie
 * `porthole_oidc` (`__Host-` on https; HttpOnly, SameSite=Lax, Path=/, 10 minutes). One per
 * browser: a new sign-in replaces it, and the callback clears it, so a replayed callback finds none.
 * `__Host-`, not `__Secure-`: a preview page on the control domain's site could set a `__Secure-`
 * copy with `Domain=` (the attacker's own sign-in) and send the browser to the attacker's callback,
 * signing the victim in as the attacker (login CSRF).
 * Signed (HS256, TOKEN_SECRET, as every token of the gateway) so that nothing but the gateway can
 * write one.
 */
import { generateCookie } from 'hono/cookie';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { readCookies } from '../access/cookies';
import { currentKey, type TokenSecrets, verificationKeys } from '../auth/keys';

/** How long a sign-in may take at the provider: 10 minutes, in seconds. */
export const OIDC_STATE_TTL_SECONDS = 600;
const NAME = 'porthole_oidc';
const AUDIENCE = 'porthole:oidc-state';
/** Longest cookie value tried (a state cookie is ~600 characters with a 2048-character return). */
const MAX_VALUE_LENGTH = 4096;

/** One sign-in in progress. */
export interface OidcState {
  /** The `state` sent to the provider and expected back on the callback. */
  state: string;
  /** The `nonce` the ID token must carry. */
  nonce: string;
  /** The PKCE code verifier (its S256 challenge went to the provider). */
  verifier: string;
  /** The control-plane path to go to once signed in (return-path.ts). */
  returnTo: string;
}

function cookie(scheme: string, value: string, maxAgeSeconds: number): string {
  return generateCookie(NAME, value, {
    maxAge: maxAgeSeconds,
    httpOnly: true,
    sameSite: 'Lax',
    path: '/',
    ...(scheme === 'https' ? { prefix: 'host' } : {}),
  });
}

/** Set-Cookie holding `state` for OIDC_STATE_TTL_SECONDS. `scheme`: `http` or `https`. */
export async function stateCookie(secrets: TokenSecrets, state: OidcState, scheme: string): Promise<string> {
  const { kid, key } = await currentKey(secrets);
  const value = await new SignJWT({ st: state.state, n: state.nonce, v: state.verifier, r: state.returnTo })
    .setProtectedHeader({ alg: 'HS256', kid })
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${OIDC_STATE_TTL_SECONDS}s`)
    .sign(key);
  return cookie(scheme, value, OIDC_STATE_TTL_SECONDS);
}

/** Set-Cookie that clears the state cookie of `scheme`. */
export function clearStateCookie(scheme: string): string {
  return cookie(scheme, '', 0);
}

/** Why no sign-in was found, in words for the `oidc_state` page. */
export type StateProblem = 'missing' | 'expired' | 'invalid' | 'mismatch';

/**
 * The sign-in whose `state` is `expected` (the callback's query), from any copy of the cookie
 * (a page elsewhere may plant copies: each is verified, none trusted for being first).
 * @returns the state, or the problem: no cookie, only expired ones, none valid, or none for `expected`.
 */
export async function readStateCookie(
  request: Request,
  secrets: TokenSecrets,
  scheme: string,
  expected: string | null,
): Promise<OidcState | StateProblem> {
  const names = new Set([scheme === 'https' ? `__Host-${NAME}` : NAME]);
  const { values } = readCookies(request, names);
  if (values.length === 0) return 'missing';
  const keys = await verificationKeys(secrets);
  let problem: StateProblem = 'invalid';
  for (const value of values) {
    if (value.length > MAX_VALUE_LENGTH) continue;
    const state = await verified(value, keys);
    if (state === 'expired') problem = problem === 'mismatch' ? problem : 'expired';
    else if (state !== null) {
      if (expected !== null && state.state === expected) return state;
      problem = 'mismatch';
    }
  }
  return problem;
}

async function verified(
  value: string,
  keys: readonly { kid: string; key: Uint8Array }[],
): Promise<OidcState | 'expired' | null> {
  for (const { key } of keys) {
    try {
      const { payload } = await jwtVerify(value, key, { algorithms: ['HS256'], audience: AUDIENCE });
      const { st, n, v, r } = payload;
      if (typeof st !== 'string' || typeof n !== 'string' || typeof v !== 'string' || typeof r !== 'string')
        return null;
      return { state: st, nonce: n, verifier: v, returnTo: r };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) return 'expired';
    }
  }
  return null;
}

/** The `oidc_state` page's words for a problem. */
export function describeStateProblem(problem: StateProblem): string {
  switch (problem) {
    case 'missing':
      return 'this browser has no sign-in in progress (it was never started here, or this callback was already used)';
    case 'expired':
      return `the sign-in took longer than ${OIDC_STATE_TTL_SECONDS / 60} minutes`;
    case 'invalid':
      return 'the sign-in cookie is not one this gateway wrote';
    case 'mismatch':
      return "the callback's state is not this browser's sign-in";
  }
}
