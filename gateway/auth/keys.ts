/**
 * Signing keys for JWTs. The key id is derived from the secret (a short hash),
 * so rotating TOKEN_SECRET changes the kid by itself and the old secret can be
 * kept as TOKEN_SECRET_PREVIOUS while tokens signed with it expire.
 */
import type { Env } from '../env';
import { misconfigured } from '../errors';
import { base32 } from '../routing/base32';

export interface SigningKey {
  kid: string;
  key: Uint8Array;
}

const MIN_SECRET_LENGTH = 32;
const encoder = new TextEncoder();
const derived = new Map<string, Promise<SigningKey>>();

function derive(secret: string): Promise<SigningKey> {
  let key = derived.get(secret);
  if (!key) {
    key = crypto.subtle.digest('SHA-256', encoder.encode(`porthole-kid:${secret}`)).then((hash) => ({
      kid: base32(new Uint8Array(hash)).slice(0, 8),
      key: encoder.encode(secret),
    }));
    derived.set(secret, key);
  }
  return key;
}

/** The key new tokens are signed with. */
export function currentKey(env: Env): Promise<SigningKey> {
  if (!env.TOKEN_SECRET) throw misconfigured('TOKEN_SECRET');
  if (env.TOKEN_SECRET.length < MIN_SECRET_LENGTH) {
    throw misconfigured(`a TOKEN_SECRET of at least ${MIN_SECRET_LENGTH} characters`);
  }
  return derive(env.TOKEN_SECRET);
}

/** Every key a token may be verified with: the current one, then the previous. */
export async function verificationKeys(env: Env): Promise<SigningKey[]> {
  const keys = [await currentKey(env)];
  if (env.TOKEN_SECRET_PREVIOUS) keys.push(await derive(env.TOKEN_SECRET_PREVIOUS));
  return keys;
}
