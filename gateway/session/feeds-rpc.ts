/**
 * The RPC of a Session object that opens its live feeds (session.ts hands each method here; the
 * Worker has checked the credential): the dashboard's (feed.ts) and the operator's event feed
 * (events.ts, event-source.ts). Each answers 410 `session_ended` once the session has ended
 * (lifecycle.ts); a feed open at the end ends with it.
 */
import type { OwnerGrant } from '../access/owner-grant';
import type { Base } from '../routing/route';
import type { FeedGrant } from './events';
import type { SessionParts } from './parts';

export class FeedsRpc {
  readonly #p: SessionParts;

  constructor(parts: SessionParts) {
    this.#p = parts;
  }

  /**
   * The dashboard's live feed (feed.ts) for a cookie of `grant.epoch`, ending at `grant.until` (its
   * expiry, epoch seconds); null (none opened) on a stale epoch (a sign-out raced the Worker's check).
   */
  async feed(grant: OwnerGrant): Promise<ReadableStream<Uint8Array> | null> {
    await this.#p.life.live();
    if (grant.epoch !== (await this.#p.epoch.current())) return null;
    return this.#p.feed.open(grant.until);
  }

  /**
   * The operator's event feed (events.ts) on `base`, for a credential that expires at `grant.until`
   * (null: the admin token) of owner epoch `grant.epoch` (null: not an owner token): the
   * `text/event-stream` body; 'too_many_feeds' when MAX_EVENT_FEEDS are open; 'signed_out' on a
   * stale epoch (a sign-out raced the Worker's check).
   */
  async eventFeed(base: Base, grant: FeedGrant): Promise<ReadableStream<Uint8Array> | 'too_many_feeds' | 'signed_out'> {
    await this.#p.life.live();
    if (grant.epoch !== null && grant.epoch !== (await this.#p.epoch.current())) return 'signed_out';
    return this.#p.source.open(base, grant);
  }
}
