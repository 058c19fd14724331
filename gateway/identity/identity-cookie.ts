/**
 * The identity cookie (docs/identity.md): what an OIDC sign-in leaves on the control domain. A JWT
 * the gateway signs (HS256 with the token keys, audience `porthole:identity`, so no other Porthole
 * token can stand in for it), holding the verified Identity, the sign-in's id (`sid`) and the
 * sessions whose ports it opened (for sign-out). Never the provider's tokens.
 *
 * `porthole_identity` on http, `__Host-porthole_identity` on https; HttpOnly, SameSite=Lax, Path=/,
 * host-only, IDENTITY_TTL_SECONDS. The name is reserved (cookies.ts): it never reaches an origin.
 */
import { generateCookie } from 'hono/cookie';
import { errors, jwtVerify, SignJWT } from 'jose';
import { readCookies } from '../access/cookies';
import { currentKey, type TokenSecrets, verificationKeys } from '../auth/keys';
import { type Identity, MAX_GROUP_LENGTH, MAX_GROUPS } from './identity';
import { MAX_REMEMBERED_SESSIONS, type SignedIn } from './signed-in';

/** How long a sign-in lasts: 12 hours, in seconds. */
export const IDENTITY_TTL_SECONDS = 12 * 3600;
/** Group characters kept in the cookie (all groups together): the cookie must stay under 4 KiB. */
export const MAX_GROUP_CHARS = 1024;

const NAME = 'porthole_identity';
const ISSUER = 'porthole';
const AUDIENCE = 'porthole:identity';
const ALGORITHM = 'HS256';

/** The claims the cookie's JWT carries besides iss/aud/iat/exp. */
interface Claims {
  idp: string;
  sub: string;
  email: string | null;
  ev: boolean;
  groups: string[];
  src: 'oidc' | 'access';
  sid: string;
  sessions: string[];
}

/** The names the cookie is read under: exactly the one the gateway sets for `scheme` (`http`/`https`). */
export function identityCookieNames(scheme: string): ReadonlySet<string> {
  return new Set([scheme === 'https' ? `__Host-${NAME}` : NAME]);
}

function setCookie(scheme: string, value: string, maxAgeSeconds: number): string {
  return generateCookie(NAME, value, {
    maxAge: Math.max(0, Math.floor(maxAgeSeconds)),
    httpOnly: true,
    sameSite: 'Lax',
    path: '/',
    ...(scheme === 'https' ? { prefix: 'host' } : {}),
  } as const);
}

/** Groups as kept: strings only, each at most MAX_GROUP_LENGTH, at most MAX_GROUPS and MAX_GROUP_CHARS in all. */
export function keptGroups(groups: readonly unknown[]): string[] {
  const kept: string[] = [];
  let chars = 0;
  for (const group of groups) {
    if (typeof group !== 'string' || group === '' || group.length > MAX_GROUP_LENGTH) continue;
    if (kept.length === MAX_GROUPS || chars + group.length > MAX_GROUP_CHARS) break;
    kept.push(group);
    chars += group.length;
  }
  return kept;
}

async function sign(secrets: TokenSecrets, signedIn: SignedIn): Promise<string> {
  const { kid, key } = await currentKey(secrets);
  const { identity } = signedIn;
  const claims: Omit<Claims, 'sub'> = {
    idp: identity.issuer,
    email: identity.email,
    ev: identity.emailVerified,
    groups: keptGroups(identity.groups),
    src: identity.source,
    sid: signedIn.sid ?? '',
    sessions: signedIn.sessions.slice(0, MAX_REMEMBERED_SESSIONS),
  };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: ALGORITHM, kid, typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(identity.subject)
    .setIssuedAt()
    .setExpirationTime(signedIn.expiresAt)
    .sign(key);
}

/** A new sign-in of `identity` (a fresh random `sid`, no sessions yet) and the Set-Cookie that keeps it. */
export async function mintIdentityCookie(
  secrets: TokenSecrets,
  identity: Identity,
  scheme: string,
): Promise<{ setCookie: string; signedIn: SignedIn }> {
  const signedIn: SignedIn = {
    identity: { ...identity, groups: keptGroups(identity.groups) },
    sid: crypto.randomUUID(),
    sessions: [],
    expiresAt: Math.floor(Date.now() / 1000) + IDENTITY_TTL_SECONDS,
  };
  return { setCookie: setCookie(scheme, await sign(secrets, signedIn), IDENTITY_TTL_SECONDS), signedIn };
}

function isStringList(value: unknown, max: number): value is string[] {
  return Array.isArray(value) && value.length <= max && value.every((v) => typeof v === 'string' && v.length <= 256);
}

/** The sign-in one cookie value proves, or null (forged, expired, malformed). */
async function verify(secrets: TokenSecrets, value: string): Promise<SignedIn | null> {
  if (value.length > 4096) return null;
  const keys = await verificationKeys(secrets);
  try {
    const { payload } = await jwtVerify(
      value,
      (header) => keys.find((k) => k.kid === header.kid)?.key ?? new Uint8Array(32),
      { issuer: ISSUER, audience: AUDIENCE, algorithms: [ALGORITHM], requiredClaims: ['sub', 'exp', 'sid'] },
    );
    const c = payload as Partial<Claims> & { exp: number };
    if (
      typeof c.idp !== 'string' ||
      typeof c.sub !== 'string' ||
      (c.email !== null && typeof c.email !== 'string') ||
      typeof c.ev !== 'boolean' ||
      !isStringList(c.groups, MAX_GROUPS) ||
      (c.src !== 'oidc' && c.src !== 'access') ||
      typeof c.sid !== 'string' ||
      c.sid === '' ||
      !isStringList(c.sessions, MAX_REMEMBERED_SESSIONS)
    ) {
      return null;
    }
    const identity: Identity = {
      issuer: c.idp,
      subject: c.sub,
      email: c.email ?? null,
      emailVerified: c.ev,
      groups: c.groups,
      source: c.src,
    };
    return { identity, sid: c.sid, sessions: c.sessions, expiresAt: c.exp };
  } catch (error) {
    if (error instanceof errors.JOSEError) return null;
    throw error;
  }
}

/** The sign-in the request's identity cookie proves (every copy tried; the first good one wins), or null. */
export async function readIdentityCookie(request: Request, secrets: TokenSecrets): Promise<SignedIn | null> {
  const scheme = new URL(request.url).protocol.slice(0, -1);
  for (const value of readCookies(request, identityCookieNames(scheme)).values) {
    const signedIn = await verify(secrets, value);
    if (signedIn !== null) return signedIn;
  }
  return null;
}

/**
 * The Set-Cookie that adds `session` to the sessions `signedIn` remembers (most recent first, at most
 * MAX_REMEMBERED_SESSIONS; same sid and expiry), or null when it is already the most recent (or the
 * sign-in is not the cookie's: an Access assertion has no sid).
 */
export async function rememberSession(
  secrets: TokenSecrets,
  signedIn: SignedIn,
  session: string,
  scheme: string,
): Promise<string | null> {
  if (signedIn.sid === null || signedIn.sessions[0] === session) return null;
  const sessions = [session, ...signedIn.sessions.filter((s) => s !== session)].slice(0, MAX_REMEMBERED_SESSIONS);
  const next: SignedIn = { ...signedIn, sessions };
  const left = signedIn.expiresAt - Math.floor(Date.now() / 1000);
  return setCookie(scheme, await sign(secrets, next), left);
}

/** The Set-Cookie that clears the identity cookie of `scheme`. */
export function clearIdentityCookie(scheme: string): string {
  return setCookie(scheme, '', 0);
}
