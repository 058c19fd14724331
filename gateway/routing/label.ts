/**
 * Port hosts, in the configured shape (docs/hosts.md), under PREVIEW_DOMAIN:
 * - `session`: `<port>-<sig>.<session>` (a session's ports share the site `<session>.<PREVIEW_DOMAIN>`);
 * - `port`: `<port>-<session>-<sig>` (one label per port).
 * `sig` is the first 16 base32 characters of HMAC-SHA256(LABEL_KEY,
 * `v1:<session>:<port>`) in both. Verification is stateless, so a forged host
 * never wakes a Durable Object.
 */
import { timingSafeEqual } from '../auth/constant-time';
import { BoundedCache } from '../bounded-cache';
import type { HostShape } from '../config';
import { base32 } from './base32';

/** What building or reading a port host needs (a GatewayConfig has it all). */
export interface PreviewHosts {
  hostShape: HostShape;
  previewDomain: string;
}

export interface PortLabel {
  /** 1–65535, written without leading zeros. */
  port: number;
  /** 16 lowercase base32 characters. */
  session: string;
  /** 16 lowercase base32 characters, as presented (not yet verified). */
  sig: string;
}

/** Per shape: the part of a port host below PREVIEW_DOMAIN, with its groups in [port, session, sig] order. */
const SHAPES: Record<HostShape, { pattern: RegExp; groups: [number, number, number] }> = {
  session: { pattern: /^([1-9][0-9]{0,4})-([a-z2-7]{16})\.([a-z2-7]{16})$/, groups: [1, 3, 2] },
  port: { pattern: /^([1-9][0-9]{0,4})-([a-z2-7]{16})-([a-z2-7]{16})$/, groups: [1, 2, 3] },
};
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

/**
 * Parse the part of a host name below PREVIEW_DOMAIN (without the dot), as the
 * URL has it: `<port>-<sig>.<session>` in the `session` shape,
 * `<port>-<session>-<sig>` in the `port` shape. Null unless it is exactly that:
 * lowercase base32, no extra label, port 1–65535 without a leading zero.
 */
export function parseLabel(name: string, shape: HostShape): PortLabel | null {
  const { pattern, groups } = SHAPES[shape];
  const match = pattern.exec(name);
  if (!match) return null;
  const port = Number(match[groups[0]]);
  if (port > 65535) return null;
  return { port, session: match[groups[1]] as string, sig: match[groups[2]] as string };
}

/** The sig of a port's label: 16 base32 characters of HMAC-SHA256(labelKey, `v1:<session>:<port>`). */
export async function signLabel(labelKey: string, session: string, port: number): Promise<string> {
  const mac = await crypto.subtle.sign('HMAC', await hmacKey(labelKey), encoder.encode(`v1:${session}:${port}`));
  return base32(new Uint8Array(mac)).slice(0, SIG_LENGTH);
}

/**
 * Sigs already computed in this isolate, by `<port>-<session>`, with the key they were made with: a
 * preview's every asset skips the HMAC on verification, and a port snapshot does not re-sign every port.
 */
export const verifiedLabels = new BoundedCache<string, { labelKey: string; sig: string }>(4096);

/** signLabel, through the isolate's cache (a different label key is a miss). */
export async function cachedSig(labelKey: string, session: string, port: number): Promise<string> {
  const cacheKey = `${port}-${session}`;
  const hit = verifiedLabels.get(cacheKey);
  if (hit?.labelKey === labelKey) return hit.sig;
  const sig = await signLabel(labelKey, session, port);
  verifiedLabels.set(cacheKey, { labelKey, sig });
  return sig;
}

/** Constant-time check of a parsed label's signature. */
export async function verifyLabel(labelKey: string, label: PortLabel): Promise<boolean> {
  const sig = await cachedSig(labelKey, label.session, label.port);
  const expected = encoder.encode(sig);
  const given = encoder.encode(label.sig);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The host of a port's preview in the configured shape, e.g.
 * `3000-<sig>.<session>.localhost:8787` (session) or `3000-<session>-<sig>.example.dev` (port).
 * @param listen the gateway's own port as a URL writes it (`:8787`), or '' for the scheme's default.
 */
export async function portHost(
  keys: PreviewHosts & { labelKey: string },
  session: string,
  port: number,
  listen = '',
): Promise<string> {
  const sig = await cachedSig(keys.labelKey, session, port);
  const name = keys.hostShape === 'session' ? `${port}-${sig}.${session}` : `${port}-${session}-${sig}`;
  return `${name}.${keys.previewDomain}${listen}`;
}

/**
 * The name all of a session's ports live under, `<session>.<PREVIEW_DOMAIN>`, in the `session`
 * shape (the session's site where PREVIEW_DOMAIN is a public suffix: a cookie `Domain` that covers
 * the session's ports and nothing else); null in the `port` shape, where no such name exists.
 */
export function sessionDomain(hosts: PreviewHosts, session: string): string | null {
  return hosts.hostShape === 'session' ? `${session}.${hosts.previewDomain}` : null;
}

/** The `:<port>` of a host as a URL writes it (`porthole.localhost:8787` → `:8787`), or ''. */
export function listenPort(host: string): string {
  return /:\d+$/.exec(host)?.[0] ?? '';
}
