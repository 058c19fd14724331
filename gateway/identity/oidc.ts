/**
 * The gateway as an OpenID Connect relying party (docs/identity.md), with oauth4webapi: discovery
 * (cached per isolate), the authorization URL (code flow, PKCE S256, state, nonce), and the
 * callback: the code exchanged at the token endpoint, the ID token checked (issuer, audience,
 * expiry, nonce, and its signature against the provider's JWKS), its claims mapped to an Identity.
 * Every request to the provider is bounded by PROVIDER_TIMEOUT_MS. Failures become 401
 * `oidc_failed` (what failed, in words) or 502 `oidc_unavailable` (identity/refusals.ts).
 */
import * as oauth from 'oauth4webapi';
import { GatewayError } from '../errors';
import type { OidcConfig } from './config';
import type { Identity } from './identity';
import { ClaimsError, identityFromClaims } from './oidc-claims';
import type { OidcState } from './oidc-state';
import { oidcFailed, oidcUnavailable } from './refusals';

/** Bound on each request to the provider (discovery, token, JWKS), in ms. */
export const PROVIDER_TIMEOUT_MS = 5_000;
/** How long a discovery document is reused by an isolate, in ms: 1 hour. */
const DISCOVERY_TTL_MS = 3_600_000;

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Whether `url` may be fetched: https, or http on loopback when the issuer itself is (tests). */
function allowedUrl(url: string | undefined, insecure: boolean): boolean {
  if (url === undefined) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return parsed.protocol === 'https:' || (insecure && parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname));
}

function isInsecureLoopback(issuer: string): boolean {
  const url = new URL(issuer);
  return url.protocol === 'http:' && LOOPBACK.has(url.hostname);
}

/** oauth4webapi's options for every request: the time bound, and plain http only for a loopback issuer. */
function httpOptions(oidc: OidcConfig): { signal: () => AbortSignal; [oauth.allowInsecureRequests]?: boolean } {
  return {
    signal: () => AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
    ...(isInsecureLoopback(oidc.issuer) ? { [oauth.allowInsecureRequests]: true } : {}),
  };
}

const discovered = new Map<string, { as: Promise<oauth.AuthorizationServer>; until: number }>();

/**
 * The provider's metadata, from `<issuer>/.well-known/openid-configuration`, reused for
 * DISCOVERY_TTL_MS (a failure is not kept). Its JWKS is cached with it (oauth4webapi keys its JWKS
 * cache by this object).
 * @throws 502 `oidc_unavailable` when the provider does not answer, or answers with metadata that
 *   names another issuer or lacks the endpoints of the code flow.
 */
export function discover(oidc: OidcConfig): Promise<oauth.AuthorizationServer> {
  const cached = discovered.get(oidc.issuer);
  if (cached && cached.until > Date.now()) return cached.as;
  const as = (async () => {
    const issuer = new URL(oidc.issuer);
    const insecure = isInsecureLoopback(oidc.issuer);
    // Named in the refusal: a wrong OIDC_ISSUER (a typo, a missing realm path) is the usual cause. Public: logins redirect there.
    const what = `discovery at ${oidc.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    let metadata: oauth.AuthorizationServer;
    try {
      const response = await oauth.discoveryRequest(issuer, { ...httpOptions(oidc), algorithm: 'oidc' });
      metadata = await oauth.processDiscoveryResponse(issuer, response);
    } catch (error) {
      throw oidcUnavailable(what, error);
    }
    for (const url of [metadata.authorization_endpoint, metadata.token_endpoint, metadata.jwks_uri]) {
      if (!allowedUrl(url, insecure)) {
        throw oidcUnavailable(what, new Error(`endpoint ${String(url)} missing or not https`));
      }
    }
    return metadata;
  })();
  discovered.set(oidc.issuer, { as, until: Date.now() + DISCOVERY_TTL_MS });
  as.catch(() => discovered.delete(oidc.issuer));
  return as;
}

/** A sign-in about to start: where to send the browser, and what to remember (oidc-state.ts). */
export interface Authorization {
  location: string;
  state: OidcState;
}

/**
 * The provider's authorization URL for a new sign-in that returns to `returnTo` once done. With
 * `promptLogin`, `prompt=login` (OIDC Core 3.1.2.1): the provider asks who is signing in even while
 * its own session is alive, so a signed-out browser can sign in with another account.
 */
export async function authorize(
  oidc: OidcConfig,
  redirectUri: string,
  returnTo: string,
  promptLogin = false,
): Promise<Authorization> {
  const as = await discover(oidc);
  const state: OidcState = {
    state: oauth.generateRandomState(),
    nonce: oauth.generateRandomNonce(),
    verifier: oauth.generateRandomCodeVerifier(),
    returnTo,
  };
  const url = new URL(as.authorization_endpoint as string);
  url.searchParams.set('client_id', oidc.clientId);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('scope', oidc.scopes);
  url.searchParams.set('state', state.state);
  url.searchParams.set('nonce', state.nonce);
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(state.verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  if (promptLogin) url.searchParams.set('prompt', 'login');
  return { location: url.href, state };
}

/**
 * How the gateway authenticates at the token endpoint: none (a public client); the secret as
 * OIDC_TOKEN_AUTH says; else as the provider's metadata prefers it (basic unless it lists only post).
 */
function clientAuth(
  as: oauth.AuthorizationServer,
  secret: string | null,
  chosen: OidcConfig['tokenAuth'],
): oauth.ClientAuth {
  if (secret === null) return oauth.None();
  if (chosen !== null)
    return chosen === 'client_secret_post' ? oauth.ClientSecretPost(secret) : oauth.ClientSecretBasic(secret);
  const methods = as.token_endpoint_auth_methods_supported ?? ['client_secret_basic'];
  if (!methods.includes('client_secret_basic') && methods.includes('client_secret_post')) {
    return oauth.ClientSecretPost(secret);
  }
  return oauth.ClientSecretBasic(secret);
}

/**
 * Finishes a sign-in: `callback` (the request's URL, with `code` and `state`) checked against
 * `state`, the code exchanged, the ID token verified (claims, then its signature against the JWKS).
 * @param clear Set-Cookie clearing the state cookie, sent with any refusal.
 * @throws 401 `oidc_failed` naming the failed check; 502 `oidc_unavailable` when the provider does not answer.
 */
export async function finishSignIn(
  oidc: OidcConfig,
  callback: URL,
  redirectUri: string,
  state: OidcState,
  clear: string,
): Promise<Identity> {
  const as = await discover(oidc).catch((error: unknown) => {
    throw error instanceof GatewayError ? withClear(error, clear) : error;
  });
  const client: oauth.Client = { client_id: oidc.clientId };
  const options = httpOptions(oidc);
  let stage: Stage = 'callback';
  try {
    const params = oauth.validateAuthResponse(as, client, callback, state.state);
    stage = 'token';
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      clientAuth(as, oidc.clientSecret, oidc.tokenAuth),
      params,
      redirectUri,
      state.verifier,
      options,
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: state.nonce,
      requireIdToken: true,
    });
    // oauth4webapi checks the ID token's claims above, its signature only here: against the JWKS.
    stage = 'jwks';
    await oauth.validateApplicationLevelSignature(as, response, options);
    const claims = oauth.getValidatedIdTokenClaims(tokens);
    if (!claims) throw new ClaimsError('the provider returned no ID token');
    return identityFromClaims(claims, oidc);
  } catch (error) {
    throw failure(error, stage, clear);
  }
}

type Stage = 'callback' | 'token' | 'jwks';

function withClear(error: GatewayError, clear: string): GatewayError {
  return new GatewayError(error.status, error.code, error.message, {
    cause: error.cause,
    headers: { ...error.headers, 'set-cookie': clear },
  });
}

/** A provider's error code, if it is one (`invalid_grant`), for the page; anything else is left out. */
const errorCode = (code: unknown) => (typeof code === 'string' && /^[\w.-]{1,64}$/.test(code) ? ` (${code})` : '');

function failure(error: unknown, stage: Stage, clear: string): GatewayError {
  if (error instanceof GatewayError) return withClear(error, clear);
  const what = stage === 'jwks' ? "the provider's key set (JWKS)" : 'the token request';
  if (error instanceof ClaimsError) return oidcFailed(error.message, clear);
  if (error instanceof oauth.AuthorizationResponseError) {
    return oidcFailed(`the provider answered with an error${errorCode(error.error)}`, clear);
  }
  if (error instanceof oauth.ResponseBodyError) {
    if (error.status >= 500) return oidcUnavailable(what, error, clear);
    return oidcFailed(`the provider refused the authorization code${errorCode(error.error)}`, clear);
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    return oidcFailed("the provider refused the gateway's client credentials", clear);
  }
  if (error instanceof oauth.UnsupportedOperationError) {
    return oidcFailed('the ID token uses a signature algorithm the gateway does not accept', clear);
  }
  if (error instanceof oauth.OperationProcessingError) return oidcFailed(describeCheck(error, stage, what), clear);
  // Anything else came from under oauth4webapi: fetch failed (refused, reset, timed out: a
  // TypeError, an AbortError or TimeoutError, or workerd's "Network connection lost").
  return oidcUnavailable(what, error, clear);
}

/** Words for a failed check of oauth4webapi (its codes and the claim it names, never the token). */
function describeCheck(error: oauth.OperationProcessingError, stage: Stage, what: string): string {
  const cause: unknown = error.cause;
  const response = cause instanceof Response ? cause : null;
  const claim = typeof cause === 'object' && cause !== null && 'claim' in cause ? String(cause.claim) : '';
  switch (error.code) {
    case oauth.JWT_TIMESTAMP_CHECK:
      if (claim === 'exp') return 'the ID token has expired';
      if (claim === 'nbf') return 'the ID token is not valid yet';
      return `the ID token's ${claim || 'time'} claim is out of range`;
    case oauth.JWT_CLAIM_COMPARISON:
      if (claim === 'aud') return 'the ID token is for another client (its audience is not OIDC_CLIENT_ID)';
      if (claim === 'iss') return 'the ID token is from another issuer than OIDC_ISSUER';
      if (claim === 'nonce') return "the ID token's nonce is not this sign-in's";
      if (claim === 'azp') return 'the ID token is authorized for another client (azp)';
      return `the ID token's ${claim || 'claims'} did not match`;
    case oauth.KEY_SELECTION:
      return "no key of the provider's key set (JWKS) matches the ID token";
    case oauth.RESPONSE_IS_NOT_CONFORM:
    case oauth.RESPONSE_IS_NOT_JSON:
      return `${what} answered ${response ? `HTTP ${response.status}` : 'something'} the gateway cannot use`;
    default:
      break;
  }
  if (error.message === 'JWT signature verification failed') {
    return "the ID token's signature does not verify with the provider's key set (JWKS)";
  }
  if (stage === 'callback') return `the callback is not a valid answer of the provider: ${error.message}`;
  return `the provider's answer failed a check: ${error.message}`;
}
