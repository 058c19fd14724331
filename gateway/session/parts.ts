/**
 * The parts of a Session object (session.ts) and how they are wired together: its stores, each
 * writing through the lifecycle's guard (lifecycle.ts); the tunnel socket; the viewer streams and
 * their grants; the dashboards' and operators' feeds; and the hooks by which each tells the others
 * (the end, asleep and awake; a port or the tunnel changed). Built once per object instance, in its
 * constructor; session.ts's entry points and the RPC files (owner-rpc.ts, links-rpc.ts,
 * operator-rpc.ts, identity-rpc.ts, feeds-rpc.ts) work with these parts.
 */
import { CloseCode } from '../../protocol';
import { config as gatewayConfig, type GatewayConfig } from '../config';
import type { Env } from '../env';
import { orgAllowed } from '../identity/org-policy';
import { DataSockets } from './data-sockets';
import { Deadlines } from './deadlines';
import { EventFeed } from './events';
import { SessionEventSource } from './event-source';
import { DashboardFeed } from './feed';
import { StreamGrants } from './grants';
import { IdentityStore } from './identity-store';
import { LastVisibility } from './last-visibility';
import { END_REASONS, type EndReason, Lifecycle } from './lifecycle';
import { OwnerEpoch } from './owner-epoch';
import { OwnerPortRequests } from './owner-ports';
import { PortControl } from './port-control';
import { PortTable } from './port-table';
import { RequestLogReads } from './request-log';
import { ShareStore } from './shares';
import { TunnelSocket } from './tunnel';
import { ViewerStreams } from './viewers';
import { type SessionViews, viewsAndAccess, type ViewsAndAccess } from './views';

export class SessionParts {
  /** The session id (the object's name). */
  readonly session: string;
  /** The object's own state (its storage, its WebSockets). */
  readonly ctx: DurableObjectState;
  readonly ports: PortTable;
  readonly shares: ShareStore;
  readonly epoch: OwnerEpoch;
  readonly identity: IdentityStore;
  readonly life: Lifecycle;
  readonly lastVisibility: LastVisibility;
  readonly tunnel: TunnelSocket;
  /** The dashboards' live feed (feed.ts). */
  readonly feed = new DashboardFeed();
  /**
   * The operator's event feeds (events.ts): the lifecycle code tells them `session.asleep`/`awake`
   * (`events.emit`) and `session.ended` (`events.end(reason)`); port and tunnel events come from `source`.
   */
  readonly events = new EventFeed();
  readonly source: SessionEventSource;
  /** What admitted each open viewer stream, to end it when that is withdrawn (grants.ts). */
  readonly grants = new StreamGrants((port) => this.views().visibility(port));
  readonly deadlines = new Deadlines<object>();
  readonly viewerStreams = new ViewerStreams(
    () => this.config().viewerMaxStreams,
    () => this.config().maxStreams,
    () => ({
      length: this.config().queueLength,
      viewerLength: this.config().viewerQueueLength,
      waitMs: this.config().queueTimeoutSeconds * 1000,
    }),
    this.deadlines,
  );
  readonly dataSockets = new DataSockets(this.deadlines);
  readonly logReads = new RequestLogReads(this.deadlines, () => this.config());
  readonly portControl: PortControl;
  readonly ownerPorts = new OwnerPortRequests(() => this.tunnel.current());
  /** When this instance of the object started (ISO 8601): a change means it was evicted or hibernated in between. */
  readonly since = new Date().toISOString();
  readonly #env: Env;
  #built: ViewsAndAccess | null = null;

  /** @param ctx the object's state: it must be named (idFromName), its name the session id. */
  constructor(ctx: DurableObjectState, env: Env) {
    this.ctx = ctx;
    this.#env = env;
    // Objects are only ever reached by idFromName(session) (routing/stub.ts), so the name is always there.
    if (ctx.id.name === undefined) throw new Error('a Session object must be addressed by its session id');
    this.session = ctx.id.name;
    this.life = new Lifecycle(ctx.storage, {
      record: () => this.identity.record(),
      ending: (reason) => this.#ending(reason),
      stateChanged: (state) => {
        this.feed.notify('state');
        this.source.stateChanged(state);
      },
    });
    // Every store writes through the lifecycle's guard: nothing is written once the end began.
    const storage = this.life.guard();
    this.ports = new PortTable(storage);
    this.shares = new ShareStore(storage);
    this.epoch = new OwnerEpoch(storage);
    this.identity = new IdentityStore(storage);
    this.lastVisibility = new LastVisibility(storage);
    this.tunnel = new TunnelSocket(ctx, {
      onControl: async (tunnel, frame) => {
        if (!this.life.ended) await this.portControl.frame(tunnel, frame);
      },
      onChange: () => {
        this.feed.notify('tunnel');
        this.source.tunnelChanged();
      },
      maxStreams: () => this.config().maxStreams,
      setAlarm: async (expiresAt) => {
        const until = (await this.identity.settings()).until ?? expiresAt;
        await this.life.setAlarm(Math.min(expiresAt, until) * 1000);
      },
    });
    this.portControl = new PortControl({
      session: this.session,
      ports: this.ports,
      tunnel: this.tunnel,
      maxPorts: () => this.config().maxPorts,
      views: () => this.views(),
      remember: () => this.lastVisibility.remember(this.ports),
      onChange: () => {
        this.feed.notify('ports');
        this.source.portsChanged();
        void this.grants.visibilityChanged();
      },
    });
    this.source = new SessionEventSource({
      feed: this.events,
      ports: (base) => this.views().ports(base),
      connectedAt: () => this.tunnel.current()?.attachment.connectedAt ?? null,
      state: () => this.life.state(),
    });
  }

  /** The gateway's validated config (config.ts); throws ConfigError (500 `config_invalid`). */
  config(): GatewayConfig {
    return gatewayConfig(this.#env);
  }

  /** The session's ports, links and visibility as the API shows them (views.ts). */
  views(): SessionViews {
    return this.#viewsAndAccess().views;
  }

  /** The admission of viewers (access/admission.ts). */
  access(): ViewsAndAccess['access'] {
    return this.#viewsAndAccess().access;
  }

  /** The admission of viewers if it was built (null: the config itself failed, or nothing needed it yet). */
  accessIfBuilt(): ViewsAndAccess['access'] | null {
    return this.#built?.access ?? null;
  }

  /** Whether this session can use the `org` visibility (identity/org-policy.ts): its policy, or the gateway's, has members. */
  async orgAllowed(): Promise<boolean> {
    return orgAllowed((await this.identity.settings()).policy, this.config().identity);
  }

  /** Views and admission need the validated config, so they are built on first use, not in the constructor. */
  #viewsAndAccess(): ViewsAndAccess {
    this.#built ??= viewsAndAccess(
      this.config(),
      this.session,
      this.ports,
      this.shares,
      this.epoch,
      this.identity,
      this.lastVisibility,
      () => this.tunnel.current() !== null,
      () => this.orgAllowed(),
    );
    return this.#built;
  }

  /** The end began (lifecycle.ts): the tunnel (4003), every stream and viewer WebSocket, and every feed end now. */
  #ending(reason: EndReason): void {
    const why = END_REASONS[reason];
    this.grants.ended(`the session has ended (${why})`);
    this.tunnel.closeAll(CloseCode.SESSION_ENDED, why);
    this.feed.end('ended');
    this.events.end(reason === 'expired' ? 'expired' : 'ended');
  }
}
