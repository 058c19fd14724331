/**
 * What a session's event feeds (events.ts) are told, derived from the session's own changes: the
 * port list before and after each change of the port table or of a visibility (port-events.ts), and
 * the tunnel before and after each change of the tunnel socket. Every step (a feed opening with its
 * snapshot, a port change, a tunnel change) runs one after another, so each feed sees the events in
 * the order the changes happened and never an event its snapshot already showed.
 */
import type { ApiPort, SessionState } from '../../protocol';
import type { Base } from '../routing/route';
import type { EventFeed, FeedGrant } from './events';

export interface EventSourceParts {
  feed: EventFeed;
  /** The port list with URLs on `base`, as GET /ports gives it (views.ts SessionViews.ports). */
  ports(base: Base): Promise<ApiPort[]>;
  /** When the live tunnel connected (milliseconds since the epoch), or null when there is none. */
  connectedAt(): number | null;
  /** The session's lifecycle state (the lifecycle code's; `active` until it says otherwise). */
  state(): SessionState | Promise<SessionState>;
}

export class SessionEventSource {
  readonly #parts: EventSourceParts;
  /** The tunnel as the feeds were last told of it (their snapshots, then each tunnel event). */
  #connectedAt: number | null = null;
  #steps: Promise<unknown> = Promise.resolve();

  constructor(parts: EventSourceParts) {
    this.#parts = parts;
  }

  /** A new feed on `base` for `grant` (events.ts EventFeed.open), opened after every change before it is told. */
  open(base: Base, grant: FeedGrant): Promise<ReadableStream<Uint8Array> | 'too_many_feeds' | 'signed_out'> {
    return this.#step(async () => {
      const { feed } = this.#parts;
      // A cheap refusal first: a full session computes no snapshot.
      if (feed.full(grant.admin === true)) return 'too_many_feeds';
      if (feed.size === 0) this.#connectedAt = this.#parts.connectedAt();
      else await this.#tunnel();
      const ports = await this.#parts.ports(base);
      const state = await this.#parts.state();
      const tunnel = this.#connectedAt === null ? 'offline' : 'connected';
      return feed.open(base, grant, { state, tunnel, ports });
    });
  }

  /** The port table or a visibility changed: each feed is told what changed for it. */
  portsChanged(): void {
    void this.#step(async () => {
      for (const base of this.#parts.feed.bases()) this.#parts.feed.ports(base, await this.#parts.ports(base));
    });
  }

  /** The session was marked asleep or awake (lifecycle.ts): `session.asleep` or `session.awake`, in turn with the other changes. */
  stateChanged(state: SessionState): void {
    void this.#step(async () => this.#parts.feed.emit(state === 'asleep' ? 'session.asleep' : 'session.awake', {}));
  }

  /** The tunnel socket changed: `tunnel.up` (a new tunnel, or a newer one replacing it) or `tunnel.down`. */
  tunnelChanged(): void {
    void this.#step(() => this.#tunnel());
  }

  async #tunnel(): Promise<void> {
    const now = this.#parts.connectedAt();
    if (now === this.#connectedAt) return;
    this.#connectedAt = now;
    if (this.#parts.feed.size === 0) return;
    if (now === null) this.#parts.feed.emit('tunnel.down', {});
    else this.#parts.feed.emit('tunnel.up', { connectedAt: new Date(now).toISOString() });
  }

  /** Run `work` after every step before it; a failed step is logged and does not stop the next. */
  #step<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#steps.then(work);
    this.#steps = result.catch((error: unknown) => console.error('porthole: an event feed step failed:', error));
    return result;
  }
}
