/**
 * The identity a request carries, from whichever source the gateway is configured with
 * (docs/identity.md): a Cloudflare Access assertion (`Cf-Access-Jwt-Assertion`, access.ts), else
 * the OIDC identity cookie on the control domain (identity-cookie.ts). Port hosts never see the
 * identity cookie (another site); there only an Access assertion counts.
 */
import type { GatewayConfig } from '../config';
import type { Identity } from './identity';

/** A verified sign-in. */
export interface SignedIn {
  identity: Identity;
  /** The sign-in's id (identity cookie); null for an Access assertion (nothing of ours to sign out). */
  sid: string | null;
  /** Sessions this sign-in opened ports of, most recent first, at most MAX_REMEMBERED_SESSIONS (identity cookie only). */
  sessions: string[];
  /** When the sign-in ends, seconds since the epoch. */
  expiresAt: number;
}

/** Sessions one identity cookie remembers for sign-out. */
export const MAX_REMEMBERED_SESSIONS = 32;
