/**
 * The RPC of a Session object for sign-in (session.ts hands each method here): the owner identity,
 * org policy and expiry the admin API gives it at creation, and what the Worker's sign-in routes
 * ask of it (routes/open-identity.ts, routes/dashboard-identity.ts, identity/sign-out.ts). All but
 * `configureIdentity` answer 410 `session_ended` once the session has ended (lifecycle.ts).
 */
import type { Visibility } from '../../protocol';
import type { SessionIdentity } from './identity-store';
import type { SessionParts } from './parts';

export class IdentityRpc {
  readonly #p: SessionParts;

  constructor(parts: SessionParts) {
    this.#p = parts;
  }

  /** RPC from the admin API at creation: the owner identity, org policy and token expiry (identity-store.ts). */
  async configureIdentity(settings: SessionIdentity): Promise<void> {
    await this.#p.identity.configure(settings);
    // The session ends by itself at its token's expiry (alarm).
    if (settings.until !== null) await this.#p.life.setAlarm(settings.until * 1000);
  }

  /** The session's identity settings (identity-store.ts). */
  async sessionIdentity(): Promise<SessionIdentity> {
    await this.#p.life.live();
    return this.#p.identity.settings();
  }

  /** Sign-in `sid` signed out (`POST /auth/logout`): its credentials of this session are refused until `until`. */
  async signOutIdentity(sid: string, until: number): Promise<void> {
    await this.#p.life.live();
    await this.#p.identity.signOut(sid, until);
    this.#p.grants.identitySignedOut(sid);
  }

  /** Whether sign-in `sid`, begun at `issuedAt` (seconds), was signed out of this session (identity-store.ts). */
  async isIdentitySignedOut(sid: string, issuedAt: number): Promise<boolean> {
    await this.#p.life.live();
    return this.#p.identity.isSignedOut(sid, issuedAt);
  }

  /** A port's effective visibility (the owner's choice, else the client's, else private). */
  async portVisibility(port: number): Promise<Visibility> {
    await this.#p.life.live();
    return this.#p.views().visibility(port);
  }
}
