/**
 * Porthole's credentials: JWTs minted and verified with jose, never parsed by
 * hand. Each kind has its own audience, so one can never stand in for another:
 *
 * - session: the client's, opens /connect for one session;
 * - owner: the session's developer or agent (X-Porthole-Token, the owner API);
 * - login: a one-time owner link for one port, exchanged for a cookie;
 * - cookie: the owner's cookie on one port's host;
 * - share: a reviewer's link to one port, revocable by its `jti`;
 * - memberLogin, member: a signed-in member of the session's organisation (docs/identity.md): a
 *   one-time ticket for one port, and the cookie it becomes on that port's host.
 *
 * Owner credentials (owner, login, cookie) also carry their grant (`until`,
 * `epoch`, owner-grant.ts): none outlives the session token it came from, and
 * "sign out everywhere" ends all of them at once.
 */
import { decodeJwt, errors, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { isPort } from '../../protocol/ids';
import { BoundedCache } from '../bounded-cache';
import { timingSafeEqual } from './constant-time';
import { currentKey, type TokenSecrets, verificationKeys } from './keys';

const ISSUER = 'porthole';
const ALGORITHM = 'HS256';

export const Audience = {
  session: 'porthole:session',
  owner: 'porthole:owner',
  login: 'porthole:login',
  cookie: 'porthole:cookie',
  share: 'porthole:share',
  /** A port's hand-over to the control plane's sign-in (`/s/<session>/open`): proof the port sent it. */
  handover: 'porthole:handover',
  /** A one-time ticket for an org member to one port (routes/signin.ts → access/exchange.ts). */
  memberLogin: 'porthole:member-login',
  /** An org member's cookie on one port's host. */
  member: 'porthole:member',
} as const;

export type TokenKind = keyof typeof Audience;

/** Tokens longer than this are refused before any parsing. */
export const MAX_TOKEN_LENGTH = 4096;

export interface TokenClaims {
  kind: TokenKind;
  session: string;
  /** Seconds since the epoch. */
  expiresAt: number;
  /** The port a login, cookie or share token is scoped to (none: the session's dashboard). */
  port?: number;
  /** Unique id of a login or share token. */
  jti?: string;
  /** Login chain: ports still to log in to, then where to end up. */
  next?: number[];
  ret?: string;
  /**
   * Owner credentials: the session token's expiry (seconds since the epoch); member credentials
   * (memberLogin, member), optionally: the sign-in's end. `expiresAt` never passes it.
   */
  until?: number;
  /** Owner credentials only: the session's sign-out epoch when the grant began (session/owner-epoch.ts). */
  epoch?: number;
  /** The sign-in (identity cookie `sid`) a credential was minted for; signing it out refuses it (docs/identity.md). */
  sid?: string;
  /** The verified email of the identity a credential was minted for (at most MAX_EMAIL_LENGTH). */
  email?: string;
  /** When the token was issued (`iat`), seconds since the epoch. */
  issuedAt?: number;
}

/** Longest `sid` claim accepted. */
const MAX_SID_LENGTH = 64;
/** Longest `email` claim accepted (RFC 5321's path limit). */
export const MAX_EMAIL_LENGTH = 254;

/** The kinds that are owner credentials: each must carry `until` and `epoch` (minted and verified). */
export const OWNER_KINDS: readonly TokenKind[] = ['owner', 'login', 'cookie'];
/** The kinds of an org member's credentials: they may carry `until`, the sign-in's end (docs/identity.md). */
const MEMBER_KINDS: readonly TokenKind[] = ['memberLogin', 'member'];

export interface MintOptions {
  session: string;
  /** Lifetime from now; or `expiresAt` (seconds since the epoch) to re-issue a token with a fixed expiry. */
  ttlSeconds?: number;
  expiresAt?: number;
  port?: number;
  jti?: string;
  next?: number[];
  ret?: string;
  /** Required for OWNER_KINDS: the grant (owner-grant.ts); optional for member kinds (the sign-in's end); the expiry is capped at `until`. */
  until?: number;
  epoch?: number;
  sid?: string;
  email?: string;
}

type Extra = {
  port?: number;
  next?: number[];
  ret?: string;
  until?: number;
  epoch?: number;
  sid?: string;
  email?: string;
};

/**
 * A signed token of `kind` for `options.session`, expiring after `ttlSeconds` (at least 1) or at
 * `expiresAt`, and never after `until`. Throws (a bug, not input) when an owner kind has no grant.
 */
export async function mintToken(secrets: TokenSecrets, kind: TokenKind, options: MintOptions): Promise<string> {
  const { kid, key } = await currentKey(secrets);
  const claims: JWTPayload & Extra = {};
  if (options.port !== undefined) claims.port = options.port;
  if (options.next?.length) claims.next = options.next;
  if (options.ret !== undefined) claims.ret = options.ret;
  if (options.sid !== undefined) claims.sid = options.sid;
  if (options.email !== undefined) claims.email = options.email;
  if (OWNER_KINDS.includes(kind)) {
    if (options.until === undefined || options.epoch === undefined) throw new Error(`a ${kind} token needs a grant`);
    claims.until = options.until;
    claims.epoch = options.epoch;
  } else if (options.until !== undefined && MEMBER_KINDS.includes(kind)) {
    claims.until = options.until;
  }
  const wanted = options.expiresAt ?? Math.floor(Date.now() / 1000) + Math.max(1, Math.floor(options.ttlSeconds ?? 0));
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: ALGORITHM, kid, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(Audience[kind])
    .setSubject(options.session)
    .setIssuedAt()
    .setExpirationTime(claims.until === undefined ? wanted : Math.min(wanted, claims.until));
  if (options.jti !== undefined) jwt.setJti(options.jti);
  return jwt.sign(key);
}

/** Why a token was refused; callers turn this into the right status and page. */
export type TokenProblem = 'expired' | 'not_yet_valid' | 'unknown_key' | 'too_large' | 'invalid';

export class TokenError extends Error {
  override readonly name = 'TokenError';
  constructor(
    readonly problem: TokenProblem,
    /** The audience the token claims, read only to word the refusal (never trusted). */
    readonly claimedKind: TokenKind | null = null,
  ) {
    super(`token refused: ${problem}`);
  }
}

/** Verified tokens of this isolate (bounded); expiry is re-checked on every hit. */
const verified = new BoundedCache<string, TokenClaims>(2048);

function kindOf(aud: unknown): TokenKind | null {
  const value = Array.isArray(aud) ? aud[0] : aud;
  for (const [kind, audience] of Object.entries(Audience)) if (audience === value) return kind as TokenKind;
  return null;
}

function claimedKind(token: string): TokenKind | null {
  try {
    return kindOf(decodeJwt(token).aud);
  } catch {
    return null; // Not a JWT at all: no kind to name in the refusal.
  }
}

function isWhole(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isPortList(value: unknown): value is number[] {
  return Array.isArray(value) && value.length <= 64 && value.every(isPort);
}

/**
 * Verify a token of one of `kinds`: signature (current or previous key, by
 * `kid`), issuer, audience, expiry and not-before. Throws TokenError.
 */
export async function verifyToken(
  secrets: TokenSecrets,
  token: string,
  kinds: readonly TokenKind[],
): Promise<TokenClaims> {
  if (token.length > MAX_TOKEN_LENGTH) throw new TokenError('too_large');
  const now = Math.floor(Date.now() / 1000);
  const cached = verified.get(token);
  if (cached && kinds.includes(cached.kind)) {
    if (cached.expiresAt <= now) throw new TokenError('expired', cached.kind);
    return cached;
  }
  const keys = await verificationKeys(secrets);
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(
      token,
      (header) => {
        const match = keys.find((k) => k.kid === header.kid);
        if (!match) throw new TokenError('unknown_key');
        return match.key;
      },
      {
        issuer: ISSUER,
        audience: kinds.map((k) => Audience[k]),
        algorithms: [ALGORITHM],
        requiredClaims: ['sub', 'exp'],
      },
    ));
  } catch (error) {
    if (error instanceof TokenError) throw error;
    if (error instanceof errors.JWTExpired) throw new TokenError('expired', claimedKind(token));
    if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf') {
      throw new TokenError('not_yet_valid', claimedKind(token));
    }
    if (error instanceof errors.JOSEError) throw new TokenError('invalid', claimedKind(token));
    throw error;
  }
  const kind = kindOf(payload.aud);
  if (!kind || typeof payload.sub !== 'string' || typeof payload.exp !== 'number') throw new TokenError('invalid');
  const claims: TokenClaims = { kind, session: payload.sub, expiresAt: payload.exp };
  const extra = payload as JWTPayload & { [K in keyof Extra]?: unknown };
  if (extra.port !== undefined) {
    if (!isPort(extra.port)) throw new TokenError('invalid', kind);
    claims.port = extra.port;
  }
  if (payload.jti !== undefined) claims.jti = payload.jti;
  if (extra.next !== undefined) {
    if (!isPortList(extra.next)) throw new TokenError('invalid', kind);
    claims.next = extra.next;
  }
  if (extra.ret !== undefined) {
    if (typeof extra.ret !== 'string') throw new TokenError('invalid', kind);
    claims.ret = extra.ret;
  }
  if (extra.sid !== undefined) {
    if (typeof extra.sid !== 'string' || extra.sid.length > MAX_SID_LENGTH) throw new TokenError('invalid', kind);
    claims.sid = extra.sid;
  }
  if (extra.email !== undefined) {
    if (typeof extra.email !== 'string' || extra.email.length > MAX_EMAIL_LENGTH) throw new TokenError('invalid', kind);
    claims.email = extra.email;
  }
  if (typeof payload.iat === 'number') claims.issuedAt = payload.iat;
  if (OWNER_KINDS.includes(kind)) {
    // An owner credential without its grant, or living past it, was not minted by this gateway's rules.
    const { until, epoch } = extra;
    if (!isWhole(until) || !isWhole(epoch) || payload.exp > until) throw new TokenError('invalid', kind);
    claims.until = until;
    claims.epoch = epoch;
  } else if (MEMBER_KINDS.includes(kind) && extra.until !== undefined) {
    if (!isWhole(extra.until) || payload.exp > extra.until) throw new TokenError('invalid', kind);
    claims.until = extra.until;
  }
  verified.set(token, claims);
  return claims;
}

/** Compare two secrets in constant time (digests first, so lengths do not leak). */
export async function secretsEqual(a: string, b: string): Promise<boolean> {
  const encoder = new TextEncoder();
  const [x, y] = await Promise.all([
    crypto.subtle.digest('SHA-256', encoder.encode(a)),
    crypto.subtle.digest('SHA-256', encoder.encode(b)),
  ]);
  return timingSafeEqual(x, y);
}
