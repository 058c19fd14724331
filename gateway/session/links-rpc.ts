/**
 * The owner's RPC of a Session object for its credentials (session.ts hands each method here; the
 * Worker has checked the owner token): reviewer links, one-time login links to a port or the
 * dashboard, and the sign-out epoch every owner credential carries. `base` is the scheme and host of
 * the bare domain the caller used, to build URLs with. Each answers 410 `session_ended` once the
 * session has ended (lifecycle.ts).
 */
import type { ApiDashboardLink, ApiLink, ApiLogin } from '../../protocol';
import type { OwnerGrant } from '../access/owner-grant';
import { tooManyLinks } from '../control-errors';
import type { Base } from '../routing/route';
import { dashboardLink, loginLink } from './owner-links';
import type { SessionParts } from './parts';

export class LinksRpc {
  readonly #p: SessionParts;

  constructor(parts: SessionParts) {
    this.#p = parts;
  }

  /** A new reviewer link; 409 `too_many_links` when the session holds MAX_LINKS live ones. */
  async createLink(base: Base, port: number, ttlSeconds: number, label?: string): Promise<ApiLink> {
    await this.#p.life.live();
    const link = await this.#p.shares.createLink(port, ttlSeconds, label).catch((error: unknown) => {
      throw error instanceof RangeError ? tooManyLinks(error.message) : error;
    });
    this.#p.feed.notify('links');
    return this.#p.views().link(base, link, true);
  }

  /** The live links, each with a working URL (the same id and expiry as when it was created). */
  async listLinks(base: Base): Promise<ApiLink[]> {
    await this.#p.life.live();
    const links = await this.#p.shares.links();
    return Promise.all(links.map((link) => this.#p.views().link(base, link, true)));
  }

  /** Revoke a live link at once; null if there is no such live link. */
  async revokeLink(base: Base, id: string): Promise<ApiLink | null> {
    await this.#p.life.live();
    const link = await this.#p.shares.revoke(id);
    if (!link) return null;
    this.#p.grants.revoked(id);
    this.#p.feed.notify('links');
    return this.#p.views().link(base, link, false);
  }

  /** A one-time owner login link for `port` (owner-links.ts), bounded by the caller's `grant`. */
  async loginLink(base: Base, port: number, ttlSeconds: number, grant: OwnerGrant): Promise<ApiLogin> {
    await this.#p.life.live();
    return loginLink(this.#p.config(), this.#p.session, base, port, ttlSeconds, grant);
  }

  /** A one-time link to the session's dashboard (owner-links.ts), bounded by the caller's `grant`. */
  async dashboardLink(base: Base, ttlSeconds: number, grant: OwnerGrant): Promise<ApiDashboardLink> {
    await this.#p.life.live();
    return dashboardLink(this.#p.config(), this.#p.session, base, ttlSeconds, grant);
  }

  /** The sign-out epoch every owner credential of this session must carry (owner-epoch.ts). */
  async ownerEpoch(): Promise<number> {
    await this.#p.life.live();
    return this.#p.epoch.current();
  }

  /** Sign out everywhere: every owner token, login link and cookie of this session is refused from now on. */
  async signOutEverywhere(): Promise<{ epoch: number }> {
    await this.#p.life.live();
    const epoch = await this.#p.epoch.bump();
    this.#p.grants.signedOut(epoch);
    this.#p.logReads.signedOut(epoch);
    this.#p.feed.end('signout');
    this.#p.events.signedOut(epoch);
    return { epoch };
  }

  /** Spend a one-time login id (`expiresAt`: its token's expiry, seconds since the epoch); false if spent before. */
  async useLogin(id: string, expiresAt: number): Promise<boolean> {
    await this.#p.life.live();
    return this.#p.shares.useLogin(id, expiresAt);
  }
}
