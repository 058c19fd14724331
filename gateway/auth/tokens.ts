/** JWTs minted and verified with jose; never parsed by hand. */
import { errors, jwtVerify, SignJWT } from 'jose';
import type { Env } from '../env';
import { GatewayError } from '../errors';
import { currentKey, verificationKeys } from './keys';

const ISSUER = 'porthole';
const ALGORITHM = 'HS256';

/** Each kind of token has its own audience, so one can never stand in for another. */
export const Audience = {
  session: 'porthole:session',
} as const;

export interface SessionClaims {
  session: string;
  expiresAt: number;
}

export async function mintSessionToken(env: Env, session: string, ttlSeconds: number): Promise<string> {
  const { kid, key } = await currentKey(env);
  return new SignJWT({})
    .setProtectedHeader({ alg: ALGORITHM, kid, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(Audience.session)
    .setSubject(session)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(key);
}

function unauthorized(message: string): GatewayError {
  return new GatewayError(401, 'unauthorized', message, { 'www-authenticate': 'Bearer realm="porthole"' });
}

/** Verify a session token; throws a 401 GatewayError saying why it was refused. */
export async function verifySessionToken(env: Env, token: string): Promise<SessionClaims> {
  const keys = await verificationKeys(env);
  try {
    const { payload } = await jwtVerify(
      token,
      (header) => {
        const match = keys.find((k) => k.kid === header.kid);
        if (!match) throw unauthorized('The token was signed with an unknown key.');
        return match.key;
      },
      { issuer: ISSUER, audience: Audience.session, algorithms: [ALGORITHM], requiredClaims: ['sub', 'exp'] },
    );
    return { session: payload.sub as string, expiresAt: payload.exp as number };
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    if (error instanceof errors.JWTExpired) throw unauthorized('The session token has expired.');
    if (error instanceof errors.JOSEError) throw unauthorized('The session token is not valid.');
    throw error;
  }
}

/** Compare two secrets in constant time (digests first, so lengths do not leak). */
export async function secretsEqual(a: string, b: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [x, y] = await Promise.all([
    crypto.subtle.digest('SHA-256', encoder.encode(a)),
    crypto.subtle.digest('SHA-256', encoder.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(x, y);
}
