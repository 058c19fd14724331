/** Builds port hosts as the gateway does (routing/label.ts), for tests that need a valid or a forged host. */
import { createHmac } from 'node:crypto';
import { base32 } from '../../gateway/routing/base32';
import { type Harness, PREVIEW_DOMAIN } from './harness';

/** The sig of a port: the first 16 base32 characters of HMAC-SHA256(LABEL_KEY, `v1:<session>:<port>`). */
export function sigForTest(h: Harness, session: string, port: number): string {
  return base32(createHmac('sha256', h.labelKey).update(`v1:${session}:${port}`).digest()).slice(0, 16);
}

/** A port host from its parts, in the `session` shape (default) or the `port` shape; no signing. */
export function hostForTest(
  session: string,
  port: number | string,
  sig: string,
  shape: 'session' | 'port' = 'session',
  domain = PREVIEW_DOMAIN,
): string {
  return shape === 'session' ? `${port}-${sig}.${session}.${domain}` : `${port}-${session}-${sig}.${domain}`;
}

/** A correctly signed port host (without the gateway's port), e.g. `8000-<sig>.<session>.localhost`. */
export function signLabelForTest(
  h: Harness,
  session: string,
  port: number,
  shape: 'session' | 'port' = 'session',
  domain = PREVIEW_DOMAIN,
): string {
  return hostForTest(session, port, sigForTest(h, session, port), shape, domain);
}
