/**
 * Cloudflare Access in front of the gateway (docs/identity.md): the `Cf-Access-Jwt-Assertion`
 * header Access adds to every request it lets through, verified with jose against the team's
 * signing keys (`<team domain>/cdn-cgi/access/certs`, a JWKS): RS256, issuer = the team domain,
 * audience = ACCESS_AUD, expiry. Source: Cloudflare Access docs, "Validate JWTs".
 */
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from 'jose';
import { refusal } from '../access/refusals';
import type { GatewayError } from '../errors';
import { keptGroups } from './identity-cookie';
import type { AccessConfig } from './config';
import type { Identity } from './identity';

/** The header Access sets (RFC 7230 names are case-insensitive). */
export const ACCESS_HEADER = 'cf-access-jwt-assertion';
/** Longest assertion read; longer is refused unread. */
const MAX_ASSERTION_LENGTH = 8192;
/** How long the team's certs may take to come, in milliseconds (jose's timeoutDuration). */
const CERTS_TIMEOUT_MS = 5000;

/** The team's key sets of this isolate, by certs URL (jose caches and refreshes each; 10 min cooldown on unknown kids is jose's 30 s). */
const keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

function keySet(teamDomain: string): ReturnType<typeof createRemoteJWKSet> {
  const url = `${teamDomain}/cdn-cgi/access/certs`;
  let set = keySets.get(url);
  if (!set) {
    set = createRemoteJWKSet(new URL(url), { timeoutDuration: CERTS_TIMEOUT_MS });
    keySets.set(url, set);
  }
  return set;
}

/** 401 `access_assertion_invalid`: an assertion was sent that is not Access's for this application. */
export const assertionInvalid = (why: string): GatewayError =>
  refusal(
    401,
    'access_assertion_invalid',
    `The Cloudflare Access assertion of this request was refused (${why}). Sign in through Access again.`,
  );

/** 502 `access_unavailable`: the team's certs could not be read. */
const certsUnavailable = (): GatewayError =>
  refusal(502, 'access_unavailable', 'The Cloudflare Access signing keys could not be read; try again shortly.');

function why(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `its ${error.claim} is not this application's`;
  if (error instanceof errors.JWKSNoMatchingKey) return 'signed with a key the team does not have';
  if (error instanceof errors.JWSSignatureVerificationFailed) return 'its signature does not verify';
  return 'not a valid JWT';
}

/** What an Access assertion proves: who, and until when (its `exp`, seconds since the epoch). */
export interface AccessSignIn {
  identity: Identity;
  expiresAt: number;
}

/** The identity an Access assertion proves. Throws 401 `access_assertion_invalid`, or 502 when the certs are unreachable. */
export async function verifyAccessAssertion(assertion: string, access: AccessConfig): Promise<AccessSignIn> {
  if (assertion.length > MAX_ASSERTION_LENGTH) throw assertionInvalid('too large');
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(assertion, keySet(access.teamDomain), {
      issuer: access.teamDomain,
      audience: access.audience,
      algorithms: ['RS256'],
      requiredClaims: ['sub', 'exp'],
    }));
  } catch (error) {
    // The certs could not be had, which says nothing of the assertion: a timeout, not a JWKS, jose's
    // plain JOSEError (a non-200 answer, not JSON), or the fetch's own error (the team domain
    // unreachable: workerd throws an Error, not a TypeError). Only the JWT's own errors are 401.
    if (
      error instanceof errors.JWKSTimeout ||
      error instanceof errors.JWKSInvalid ||
      !(error instanceof errors.JOSEError) ||
      error.constructor === errors.JOSEError
    ) {
      throw certsUnavailable();
    }
    throw assertionInvalid(why(error));
  }
  const email = typeof payload['email'] === 'string' && payload['email'] !== '' ? payload['email'].toLowerCase() : null;
  const groups = Array.isArray(payload['groups']) ? (payload['groups'] as unknown[]) : [];
  const identity: Identity = {
    issuer: access.teamDomain,
    subject: payload.sub ?? '',
    email,
    // Access signs the email of the identity it authenticated.
    emailVerified: email !== null,
    groups: keptGroups(groups),
    source: 'access',
  };
  return { identity, expiresAt: payload.exp ?? 0 };
}
