/**
 * Every refusal of the sign-in endpoints (/auth/…, routes/auth.ts), in one place: status, stable
 * code and the words the viewer reads (the README's refusal table lists them). Messages name what
 * failed in words; never a stack, a token or a provider's raw answer.
 */
import { GatewayError } from '../errors';

const noReferrer = { 'referrer-policy': 'no-referrer' };

/** `/auth/login` or `/auth/callback` on a gateway without OIDC_ISSUER: 404 `oidc_not_configured`. */
export const oidcNotConfigured = () =>
  new GatewayError(
    404,
    'oidc_not_configured',
    'This gateway has no identity provider configured (OIDC_ISSUER is not set), so there is nothing to sign in with here.',
  );

/** A `return` that is not a path on the control plane: 400 `return_invalid`. */
export const returnInvalid = () =>
  new GatewayError(
    400,
    'return_invalid',
    'The return address must be a path on this gateway (one leading "/", no "//" or "\\", at most 2048 characters).',
  );

/**
 * A callback without its sign-in: no state cookie (never started here, expired after 10 minutes,
 * or already used), or a `state` that is not the cookie's: 400 `oidc_state`.
 * @param clear Set-Cookie clearing the state cookie, sent with the refusal.
 */
export const oidcState = (why: string, clear: string) =>
  new GatewayError(400, 'oidc_state', `This sign-in cannot be finished: ${why}. Start again from /auth/login.`, {
    headers: { ...noReferrer, 'set-cookie': clear },
  });

/**
 * The provider or its answer failed a check (an error from the provider, a refused code, an ID
 * token with a bad signature, issuer, audience, expiry or nonce, no subject): 401 `oidc_failed`.
 * @param why what failed, in words (`the ID token has expired`).
 * @param clear Set-Cookie clearing the state cookie.
 */
export const oidcFailed = (why: string, clear: string) =>
  new GatewayError(401, 'oidc_failed', `Sign-in with the identity provider failed: ${why}. Try again.`, {
    headers: { ...noReferrer, 'www-authenticate': 'Porthole realm="porthole"', 'set-cookie': clear },
  });

/**
 * The provider could not be reached, did not answer within the bound, or answered discovery with
 * something unusable: 502 `oidc_unavailable`.
 * @param what which request (`discovery`, `the token endpoint`); `cause` is logged, never shown.
 */
export const oidcUnavailable = (what: string, cause: unknown, clear?: string) =>
  new GatewayError(
    502,
    'oidc_unavailable',
    `The identity provider did not answer ${what} in time or usably. Try again in a moment.`,
    { cause, headers: clear ? { ...noReferrer, 'set-cookie': clear } : noReferrer },
  );

/** `POST /auth/logout` from another origin (or without an Origin header): 403 `logout_refused`. */
export const logoutRefused = () =>
  new GatewayError(
    403,
    'logout_refused',
    'Sign-out is accepted only from a page of this gateway. Open /auth/logout and use its button.',
  );
