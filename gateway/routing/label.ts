/**
 * Port host labels: `<port>-<session>-<sig>`, where sig is the first 16
 * base32 characters of HMAC-SHA256(LABEL_KEY, `v1:<session>:<port>`).
 * Verification is stateless, so a forged host never wakes a Durable Object.
 */
import type { Env } from '../env';
import { misconfigured } from '../errors';
import { base32 } from './base32';

export interface PortLabel {
  port: number;
  session: string;
  sig: string;
}

const LABEL = /^([1-9][0-9]{0,4})-([a-z2-7]{16})-([a-z2-7]{16})$/;
const SIG_LENGTH = 16;
const MIN_KEY_LENGTH = 32;
const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    keys.set(secret, key);
  }
  return key;
}

/** Parse one DNS label; null if it is not exactly a port label. */
export function parseLabel(label: string): PortLabel | null {
  const match = LABEL.exec(label);
  if (!match) return null;
  const port = Number(match[1]);
  if (port > 65535) return null;
  return { port, session: match[2] as string, sig: match[3] as string };
}

export async function signLabel(env: Env, session: string, port: number): Promise<string> {
  if (!env.LABEL_KEY) throw misconfigured('LABEL_KEY');
  if (env.LABEL_KEY.length < MIN_KEY_LENGTH)
    throw misconfigured(`a LABEL_KEY of at least ${MIN_KEY_LENGTH} characters`);
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(env.LABEL_KEY), encoder.encode(`v1:${session}:${port}`));
  return base32(new Uint8Array(mac)).slice(0, SIG_LENGTH);
}

/** Labels already verified in this isolate (bounded): a preview's every asset skips the HMAC. */
const verified = new Map<string, string>();
const VERIFIED_LIMIT = 4096;

/** Constant-time check of a parsed label's signature. */
export async function verifyLabel(env: Env, label: PortLabel): Promise<boolean> {
  const cacheKey = `${label.port}-${label.session}`;
  let sig = verified.get(cacheKey);
  if (sig === undefined) {
    sig = await signLabel(env, label.session, label.port);
    if (verified.size >= VERIFIED_LIMIT) verified.delete(verified.keys().next().value as string);
    verified.set(cacheKey, sig);
  }
  const expected = encoder.encode(sig);
  const given = encoder.encode(label.sig);
  return given.length === expected.length && crypto.subtle.timingSafeEqual(given, expected);
}

/** The host of a port's preview, e.g. `3000-<session>-<sig>.localhost:8787`. */
export async function portHost(env: Env, session: string, port: number, domain: string): Promise<string> {
  return `${port}-${session}-${await signLabel(env, session, port)}.${domain}`;
}
