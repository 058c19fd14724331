/**
 * Signing keys for JWTs. The key id is derived from the secret (a short hash),
 * so rotating TOKEN_SECRET changes the kid by itself and the old secret can be
 * kept as TOKEN_SECRET_PREVIOUS while tokens signed with it expire. The
 * secrets' presence and length are checked once, in config.ts.
 */
import type { GatewayConfig } from '../config';
import { base32 } from '../routing/base32';

export interface SigningKey {
  /** 8 base32 characters of SHA-256(`porthole-kid:<secret>`). */
  kid: string;
  key: Uint8Array;
}

/** The secrets tokens are signed and verified with. */
export type TokenSecrets = Pick<GatewayConfig, 'tokenSecret' | 'tokenSecretPrevious'>;

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
export function currentKey(secrets: TokenSecrets): Promise<SigningKey> {
  return derive(secrets.tokenSecret);
}

/** Every key a token may be verified with: the current one, then the previous. */
export async function verificationKeys(secrets: TokenSecrets): Promise<SigningKey[]> {
  const keys = [await currentKey(secrets)];
  if (secrets.tokenSecretPrevious) keys.push(await derive(secrets.tokenSecretPrevious));
  return keys;
}
