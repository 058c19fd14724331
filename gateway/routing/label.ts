/**
 * Port host labels: `<port>-<session>-<sig>`, where sig is the first 16
 * base32 characters of HMAC-SHA256(LABEL_KEY, `v1:<session>:<port>`).
 * Verification is stateless, so a forged host never wakes a Durable Object.
 */
import { timingSafeEqual } from '../auth/constant-time';
import { BoundedCache } from '../bounded-cache';
import { base32 } from './base32';

export interface PortLabel {
  /** 1–65535, written without leading zeros. */
  port: number;
  /** 16 lowercase base32 characters. */
  session: string;
  /** 16 lowercase base32 characters, as presented (not yet verified). */
  sig: string;
}

const LABEL = /^([1-9][0-9]{0,4})-([a-z2-7]{16})-([a-z2-7]{16})$/;
const SIG_LENGTH = 16;
const encoder = new TextEncoder();
type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;
const keys = new Map<string, Promise<HmacKey>>();

function hmacKey(secret: string): Promise<HmacKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    keys.set(secret, key);
  }
  return key;
}

/** Parse one DNS label (already lowercase); null if it is not exactly a port label. */
export function parseLabel(label: string): PortLabel | null {
  const match = LABEL.exec(label);
  if (!match) return null;
  const port = Number(match[1]);
  if (port > 65535) return null;
  return { port, session: match[2] as string, sig: match[3] as string };
}

/** The sig of a port's label: 16 base32 characters of HMAC-SHA256(labelKey, `v1:<session>:<port>`). */
export async function signLabel(labelKey: string, session: string, port: number): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(labelKey), encoder.encode(`v1:${session}:${port}`));
  return base32(new Uint8Array(mac)).slice(0, SIG_LENGTH);
}

/** Sigs already computed in this isolate, by `<port>-<session>`: a preview's every asset skips the HMAC. */
export const verifiedLabels = new BoundedCache<string, string>(4096);

/** Constant-time check of a parsed label's signature. */
export async function verifyLabel(labelKey: string, label: PortLabel): Promise<boolean> {
  const cacheKey = `${label.port}-${label.session}`;
  let sig = verifiedLabels.get(cacheKey);
  if (sig === undefined) {
    sig = await signLabel(labelKey, label.session, label.port);
    verifiedLabels.set(cacheKey, sig);
  }
  const expected = encoder.encode(sig);
  const given = encoder.encode(label.sig);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The host of a port's preview, e.g. `3000-<session>-<sig>.porthole.localhost:8787` (`domain` may carry a port). */
export async function portHost(labelKey: string, session: string, port: number, domain: string): Promise<string> {
  return `${port}-${session}-${await signLabel(labelKey, session, port)}.${domain}`;
}
