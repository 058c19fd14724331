/**
 * Tokens minted in the test process with the harness's secret, as the gateway
 * would (or deliberately not quite), for tests of what the gateway accepts.
 */
import { createHash } from 'node:crypto';
import { SignJWT } from 'jose';
import { base32 } from '../../gateway/routing/base32';

/** The gateway's key id for a secret (first 8 base32 chars of SHA-256 of `porthole-kid:<secret>`). */
export function kidFor(secret: string): string {
  return base32(createHash('sha256').update(`porthole-kid:${secret}`).digest()).slice(0, 8);
}

export interface TestClaims {
  aud: string;
  sub: string;
  port?: number;
  jti?: string;
  /** A path (the login chain's end, a hand-over's path). */
  ret?: string;
  /** Seconds from now (negative: already expired). Default 600. */
  expiresIn?: number;
  /** Seconds from now the token becomes valid. */
  notBeforeIn?: number;
  kid?: string;
  iss?: string;
  /**
   * The grant of an owner kind (owner, login, cookie): the session token's expiry, seconds from now
   * (default: the token's own expiry), and the sign-out epoch (default 0). `null`: no grant at all.
   */
  untilIn?: number | null;
  epoch?: number;
}

const OWNER_AUDS: readonly string[] = ['porthole:owner', 'porthole:login', 'porthole:cookie'];

export const aud = {
  session: 'porthole:session',
  owner: 'porthole:owner',
  login: 'porthole:login',
  cookie: 'porthole:cookie',
  share: 'porthole:share',
  handover: 'porthole:handover',
} as const;

export async function mintForTest(secret: string, claims: TestClaims): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = {};
  if (claims.port !== undefined) payload.port = claims.port;
  if (claims.ret !== undefined) payload.ret = claims.ret;
  if (OWNER_AUDS.includes(claims.aud) && claims.untilIn !== null) {
    payload.until = now + (claims.untilIn ?? claims.expiresIn ?? 600);
    payload.epoch = claims.epoch ?? 0;
  }
  const jwt = new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', kid: claims.kid ?? kidFor(secret), typ: 'JWT' })
    .setIssuer(claims.iss ?? 'porthole')
    .setAudience(claims.aud)
    .setSubject(claims.sub)
    .setIssuedAt(now - 5)
    .setExpirationTime(now + (claims.expiresIn ?? 600));
  if (claims.notBeforeIn !== undefined) jwt.setNotBefore(now + claims.notBeforeIn);
  if (claims.jti !== undefined) jwt.setJti(claims.jti);
  return jwt.sign(new TextEncoder().encode(secret));
}

/** An unsigned token (`alg: none`) with the given claims. */
export function unsignedForTest(claims: Record<string, unknown>, kid?: string): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT', ...(kid ? { kid } : {}) })}.${part(claims)}.`;
}
