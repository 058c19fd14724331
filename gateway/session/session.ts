/**
 * The Session Durable Object: one per session VM, named by its session id (`ctx.id.name`). A table
 * of entry points, each handed to the file that owns its job:
 * - fetch: the client's tunnel upgrade (tunnel.ts) or a viewer's request, admitted by the access
 *   policy (access/admission.ts) and its share (viewers.ts), bridged (http-bridge.ts, ws-bridge.ts);
 *   the client's data connection for a viewer's WebSocket (data-sockets.ts);
 * - webSocketMessage / Close / Error: the tunnel socket (tunnel.ts);
 * - RPC from the Worker: a viewer that left; for the owner (the Worker checked the token): ports,
 *   links, status, the dashboard's feed (feed.ts); for the operator: the session's state, asleep or
 *   awake, and its end (lifecycle.ts); the event feed (events.ts, event-source.ts). Ports, visibility and links live in storage (port-table.ts,
 *   shares.ts); the client's control frames and snapshots are port-control.ts's.
 * - alarm: the session token's expiry ends the session (lifecycle.ts); a tunnel's token's closes it.
 * An ended session (no identity record) answers 410 `session_ended` at every entry point (lifecycle.ts).
 */
import { DurableObject } from 'cloudflare:workers';
import {
  type ApiDashboardLink,
  type ApiLink,
  type ApiLogin,
  type ApiPort,
  type ApiSession,
  type ApiSessionEnded,
  type ApiStatus,
  CloseCode,
  type ExposeRequest,
  type SessionState,
  type Visibility,
} from '../../protocol';
import { acknowledge, CONTINUE_PARAM, needsWarning, warningIfPublic } from '../access/interstitial';
import { hasUrlCredential } from '../access/credentials';
import type { OwnerGrant } from '../access/owner-grant';
import { forwardedEmail, openViewer } from '../access/policy';
import { config, type GatewayConfig } from '../config';
import type { Env } from '../env';
import {
  errorResponse,
  notListening,
  sessionAsleep,
  sessionEnded,
  SESSION_ENDED_RPC,
  sessionOffline,
  tooManyLinks,
} from '../errors';
import { type Base, readRoute, type ViewerRoute } from '../routing/route';
import { DataSockets } from './data-sockets';
import { Deadlines } from './deadlines';
import { DashboardFeed } from './feed';
import { EventFeed, type FeedGrant } from './events';
import { SessionEventSource } from './event-source';
import { StreamGrants } from './grants';
import { LastVisibility } from './last-visibility';
import { END_REASONS, type EndReason, Lifecycle } from './lifecycle';
import { orgAllowed } from '../identity/org-policy';
import { IdentityStore, type SessionIdentity } from './identity-store';
import { OwnerEpoch } from './owner-epoch';
import { type OwnerPortOutcome, OwnerPortRequests } from './owner-ports';
import { dashboardLink, loginLink } from './owner-links';
import { proxyHttp } from './http-bridge';
import { PortControl } from './port-control';
import { PortTable } from './port-table';
import { proxyPreflight } from './preflight';
import { type LogRead, type LogReply, refused, RequestLogReads } from './request-log';
import { ShareStore } from './shares';
import { TunnelSocket } from './tunnel';
import { viewsAndAccess, type ViewsAndAccess } from './views';
import { viewerKey, ViewerStreams } from './viewers';
import { proxyWebSocket } from './ws-bridge';

export class Session extends DurableObject<Env> {
  readonly #session: string;
  readonly #ports: PortTable;
  readonly #shares: ShareStore;
  readonly #epoch: OwnerEpoch;
  readonly #identity: IdentityStore;
  readonly #life: Lifecycle;
  readonly #lastVisibility: LastVisibility;
  readonly #tunnel: TunnelSocket;
  readonly #feed = new DashboardFeed();
  /**
   * The operator's event feeds (events.ts): the lifecycle code tells them `session.asleep`/`awake`
   * (`events.emit`) and `session.ended` (`events.end(reason)`); port and tunnel events come from #source.
   */
  readonly events = new EventFeed();
  readonly #source: SessionEventSource;
  /** What admitted each open viewer stream, to end it when that is withdrawn (grants.ts). */
  readonly #grants = new StreamGrants((port) => this.#built.views.visibility(port));
  readonly #deadlines = new Deadlines<object>();
  readonly #viewerStreams = new ViewerStreams(
    () => this.#config.viewerMaxStreams,
    () => this.#config.maxStreams,
    () => ({
      length: this.#config.queueLength,
      viewerLength: this.#config.viewerQueueLength,
      waitMs: this.#config.queueTimeoutSeconds * 1000,
    }),
    this.#deadlines,
  );
  readonly #dataSockets = new DataSockets(this.#deadlines);
  readonly #logReads = new RequestLogReads(this.#deadlines, () => this.#config);
  readonly #portControl: PortControl;
  readonly #ownerPorts = new OwnerPortRequests(() => this.#tunnel.current());
  /** When this instance of the object started: a change means it was evicted or hibernated in between. */
  readonly #since = new Date().toISOString();
  #parts: ViewsAndAccess | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Objects are only ever reached by idFromName(session) (routing/stub.ts), so the name is always there.
    if (ctx.id.name === undefined) throw new Error('a Session object must be addressed by its session id');
    this.#session = ctx.id.name;
    this.#life = new Lifecycle(ctx.storage, {
      record: () => this.#identity.record(),
      ending: (reason) => this.#ending(reason),
      stateChanged: (state) => {
        this.#feed.notify('state');
        this.#source.stateChanged(state);
      },
    });
    // Every store writes through the lifecycle's guard: nothing is written once the end began.
    const storage = this.#life.guard();
    this.#ports = new PortTable(storage);
    this.#shares = new ShareStore(storage);
    this.#epoch = new OwnerEpoch(storage);
    this.#identity = new IdentityStore(storage);
    this.#lastVisibility = new LastVisibility(storage);
    this.#tunnel = new TunnelSocket(ctx, {
      onControl: async (tunnel, frame) => {
        if (!this.#life.ended) await this.#portControl.frame(tunnel, frame);
      },
      onChange: () => {
        this.#feed.notify('tunnel');
        this.#source.tunnelChanged();
      },
      maxStreams: () => this.#config.maxStreams,
      setAlarm: async (expiresAt) => {
        const until = (await this.#identity.settings()).until ?? expiresAt;
        await this.#life.setAlarm(Math.min(expiresAt, until) * 1000);
      },
    });
    this.#portControl = new PortControl({
      session: this.#session,
      ports: this.#ports,
      tunnel: this.#tunnel,
      maxPorts: () => this.#config.maxPorts,
      views: () => this.#built.views,
      remember: () => this.#lastVisibility.remember(this.#ports),
      onChange: () => {
        this.#feed.notify('ports');
        this.#source.portsChanged();
        void this.#grants.visibilityChanged();
      },
    });
    this.#source = new SessionEventSource({
      feed: this.events,
      ports: (base) => this.#built.views.ports(base),
      connectedAt: () => this.#tunnel.current()?.attachment.connectedAt ?? null,
      state: () => this.#life.state(),
    });
    // Keepalives are answered by the runtime, so an idle tunnel lets the object hibernate.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
  }

  get #config(): GatewayConfig {
    return config(this.env);
  }

  /** Views and admission need the validated config, so they are built on first use, not in the constructor. */
  get #built(): ViewsAndAccess {
    this.#parts ??= viewsAndAccess(
      this.#config,
      this.#session,
      this.#ports,
      this.#shares,
      this.#epoch,
      this.#identity,
      this.#lastVisibility,
      () => this.#tunnel.current() !== null,
      () => this.#orgAllowed(),
    );
    return this.#parts;
  }

  // ── fetch: the tunnel upgrade, or a viewer ───────────────────────────────

  override async fetch(request: Request): Promise<Response> {
    const route = readRoute(request, this.#session);
    try {
      await this.#life.live();
      if (route.kind === 'tunnel') return await this.#tunnel.accept(route.base, route.expiresAt);
      if (route.kind === 'data') return await this.#dataSockets.attach(route.stream);
      return await this.#viewer(request, route);
    } catch (error) {
      // A request the end cut short (its stream reset, its tunnel closed) is answered as the end.
      const response = errorResponse(this.#life.ended ? sessionEnded() : error, request);
      // (Without #parts, the config itself failed: no CORS to add. A data connection is the client's.)
      const access = this.#parts?.access;
      return access && route.kind === 'viewer' ? access.corsForSibling(response, request, route) : response;
    }
  }

  async #viewer(request: Request, route: ViewerRoute): Promise<Response> {
    const { access } = this.#built;
    if (hasUrlCredential(route.url)) return access.exchange(request, route);
    if (route.url.searchParams.has(CONTINUE_PARAM)) return acknowledge(route.url, route.scheme);
    // Who may see the port comes first: a stranger to a private port gets the same refusal whether its
    // server is up, down, never announced, or the session offline (docs/viewer-answers.md).
    const viewer = await access.admit(request, route);
    if ((await this.#life.state()) === 'asleep') throw sessionAsleep();
    if (!this.#tunnel.current()) throw sessionOffline();
    if (!(await this.#ports.get(route.port))) throw notListening(route.port);
    if (viewer.kind !== 'preflight' && this.#config.publicPreviewWarning && needsWarning(request)) {
      const warning = await warningIfPublic(route, this.#session, this.#built.views);
      if (warning) return warning;
    }
    // A stream now, or a turn in the session's fair queue (viewers.ts); the grants are checked when it opens.
    const admission = this.#viewerStreams.admit(viewerKey(route.clientIp), {
      requestId: route.requestId,
      signal: request.signal,
    });
    const slot = admission instanceof Promise ? await admission : admission;
    try {
      if (this.#life.ended) throw sessionEnded();
      const tunnel = this.#tunnel.current();
      if (!tunnel) throw sessionOffline();
      const counted = slot.opener(tunnel.mux);
      if (viewer.kind === 'preflight') {
        return await proxyPreflight(counted, request, route, this.#config, this.#deadlines);
      }
      const mux = this.#grants.opener(viewer, route.port, counted);
      const who = openViewer(viewer);
      const email = forwardedEmail(viewer, this.#config);
      if (request.headers.get('upgrade')?.toLowerCase() === 'websocket') {
        const sockets = this.#dataSockets;
        const upgraded = await proxyWebSocket(mux, request, route, this.#config, this.#deadlines, sockets, who, email);
        return this.#unlessEnded(upgraded);
      }
      const response = await proxyHttp(mux, request, route, this.#config, this.#deadlines, who, email);
      return access.limitFraming(this.#unlessEnded(response), request, route);
    } finally {
      slot.release();
    }
  }

  /** `response`, unless the session ended while it was made: its stream was reset by the end (410). */
  #unlessEnded(response: Response): Response {
    if (this.#life.ended) throw sessionEnded();
    return response;
  }

  // ── the tunnel socket ────────────────────────────────────────────────────

  override async webSocketMessage(socket: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.#tunnel.message(socket, message);
  }

  override async webSocketClose(socket: WebSocket, code: number, reason: string): Promise<void> {
    this.#tunnel.closed(socket, code, reason);
  }

  override async webSocketError(socket: WebSocket, error: unknown): Promise<void> {
    this.#tunnel.failed(socket, error);
  }

  /**
   * The session's expiry (set at creation: configureIdentity) ends it (lifecycle.ts); a tunnel's
   * session token that expired (TunnelSocket.accept set the alarm) closes it (current()). Early: set again.
   */
  override async alarm(): Promise<void> {
    const record = this.#life.ended ? null : await this.#identity.record();
    if (!record) return; // Ended, or never created: nothing to do, nothing to write.
    const now = Date.now();
    if (record.until !== null && record.until * 1000 <= now) {
      await this.#life.end('expired');
      return;
    }
    const tunnelAt = this.#tunnel.current()?.attachment.expiresAt;
    const next = Math.min(record.until ?? Infinity, tunnelAt ?? Infinity);
    if (next !== Infinity) await this.#life.setAlarm(next * 1000);
  }

  /** The end began (lifecycle.ts): the tunnel (4003), every stream and viewer WebSocket, and every feed end now. */
  #ending(reason: EndReason): void {
    const why = END_REASONS[reason];
    this.#grants.ended(`the session has ended (${why})`);
    this.#tunnel.closeAll(CloseCode.SESSION_ENDED, why);
    this.#feed.end('ended');
    this.events.end(reason);
  }

  // ── operator RPC (routes/lifecycle.ts checked the token) ────────────────

  /** The session as its operator sees it; SESSION_ENDED_RPC when it has ended. */
  async info(): Promise<ApiSession> {
    await this.#life.liveForRpc();
    const { until } = await this.#identity.settings();
    const tunnel = this.#tunnel.current();
    return {
      session: this.#session,
      state: await this.#life.state(),
      tunnel: tunnel ? 'connected' : 'offline',
      ...(tunnel ? { connectedAt: new Date(tunnel.attachment.connectedAt).toISOString() } : {}),
      expiresAt: new Date((until ?? 0) * 1000).toISOString(),
      ports: (await this.#ports.list()).length,
    };
  }

  /** Mark the session asleep or awake (`active`), and say so to its dashboards; the session as it is then. */
  async setState(state: SessionState): Promise<ApiSession> {
    await this.#life.setState(state);
    return this.info();
  }

  /** End the session now (lifecycle.ts); SESSION_ENDED_RPC when it had already ended. */
  async end(reason: EndReason = 'ended'): Promise<ApiSessionEnded> {
    await this.#life.liveForRpc();
    if (!(await this.#life.end(reason))) throw new Error(SESSION_ENDED_RPC);
    return { session: this.#session, state: 'ended', endedAt: new Date().toISOString() };
  }

  /**
   * For tests only (no route reaches it): the keys in the object's storage, and its SQL tables
   * other than the runtime's own, to show that an ended session keeps nothing.
   */
  async storedKeys(): Promise<{ keys: string[]; tables: string[]; alarm: number | null }> {
    const keys = [...(await this.ctx.storage.list()).keys()];
    const tables = this.ctx.storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .toArray()
      .map((row) => row.name)
      .filter((name) => !name.startsWith('_cf_') && !name.startsWith('sqlite_'));
    return { keys, tables, alarm: await this.ctx.storage.getAlarm() };
  }

  /** RPC from the Worker (routes/preview.ts): the viewer of `requestId` disconnected; true if a stream was reset. */
  async viewerLeft(requestId: string): Promise<boolean> {
    return this.#viewerStreams.left(requestId);
  }

  // ── owner RPC (from the Worker, which has checked the owner token) ──────
  // `base` is the scheme and host of the bare domain the caller used, to build URLs with.

  /** The session at a glance: tunnel, streams in flight, and how long this object has been awake. */
  async status(): Promise<ApiStatus> {
    await this.#life.liveForRpc();
    const tunnel = this.#tunnel.current();
    return {
      tunnel: tunnel ? 'connected' : 'offline',
      ...(tunnel ? { connectedAt: new Date(tunnel.attachment.connectedAt).toISOString() } : {}),
      streams: tunnel?.mux.stats().open ?? 0,
      waiting: this.#viewerStreams.waiting,
      awakeSince: this.#since,
    };
  }

  async listPorts(base: Base): Promise<ApiPort[]> {
    await this.#life.liveForRpc();
    return this.#built.views.ports(base);
  }

  /** Whether this session can use the `org` visibility (identity/org-policy.ts): its policy, or the gateway's, has members. */
  async #orgAllowed(): Promise<boolean> {
    return orgAllowed((await this.#identity.settings()).policy, this.#config.identity);
  }

  /**
   * The owner's choice of who may open `port` (listening or not); the client hears of it at once.
   * 'too_many_requests' past the session's rate of choices (shares.ts); 'org_policy_missing' for
   * `org` on a session without members (identity/org-policy.ts), nothing changed.
   */
  async setVisibility(
    base: Base,
    port: number,
    visibility: Visibility,
  ): Promise<ApiPort | 'too_many_requests' | 'org_policy_missing'> {
    await this.#life.liveForRpc();
    if (visibility === 'org' && !(await this.#orgAllowed())) return 'org_policy_missing';
    const before = await this.#shares.visibility(port);
    if (!(await this.#shares.setVisibility(port, visibility))) return 'too_many_requests';
    if (before !== visibility) {
      this.#feed.notify('ports');
      this.#source.portsChanged();
      this.#portControl.changed();
      void this.#grants.visibilityChanged();
    }
    return (await this.listPorts(base)).find((p) => p.port === port) as ApiPort;
  }

  /** The owner asks the client to expose a port (EXPOSE): sent, or why not (owner-ports.ts, org-policy.ts). */
  async requestExpose(request: ExposeRequest): Promise<OwnerPortOutcome | 'org_policy_missing'> {
    await this.#life.liveForRpc();
    if (request.visibility === 'org' && !(await this.#orgAllowed())) return 'org_policy_missing';
    return this.#ownerPorts.expose(request, this.#ports, this.#config.maxPorts);
  }

  /** The owner asks the client to stop exposing a port (UNEXPOSE): sent, or why not. */
  async requestUnexpose(port: number): Promise<OwnerPortOutcome> {
    await this.#life.liveForRpc();
    return this.#ownerPorts.send({ type: 'UNEXPOSE', stream: 0, body: { port } });
  }

  /** A new reviewer link; 409 `too_many_links` when the session holds MAX_LINKS live ones. */
  async createLink(base: Base, port: number, ttlSeconds: number, label?: string): Promise<ApiLink> {
    await this.#life.liveForRpc();
    const link = await this.#shares.createLink(port, ttlSeconds, label).catch((error: unknown) => {
      throw error instanceof RangeError ? tooManyLinks(error.message) : error;
    });
    this.#feed.notify('links');
    return this.#built.views.link(base, link, true);
  }

  /** The live links, each with a working URL (the same id and expiry as when it was created). */
  async listLinks(base: Base): Promise<ApiLink[]> {
    await this.#life.liveForRpc();
    const links = await this.#shares.links();
    return Promise.all(links.map((link) => this.#built.views.link(base, link, true)));
  }

  /** Revoke a live link at once; null if there is no such live link. */
  async revokeLink(base: Base, id: string): Promise<ApiLink | null> {
    await this.#life.liveForRpc();
    const link = await this.#shares.revoke(id);
    if (!link) return null;
    this.#grants.revoked(id);
    this.#feed.notify('links');
    return this.#built.views.link(base, link, false);
  }

  /** A one-time owner login link for `port` (owner-links.ts), bounded by the caller's `grant`. */
  async loginLink(base: Base, port: number, ttlSeconds: number, grant: OwnerGrant): Promise<ApiLogin> {
    await this.#life.liveForRpc();
    return loginLink(this.#config, this.#session, base, port, ttlSeconds, grant);
  }

  /** A one-time link to the session's dashboard (owner-links.ts), bounded by the caller's `grant`. */
  async dashboardLink(base: Base, ttlSeconds: number, grant: OwnerGrant): Promise<ApiDashboardLink> {
    await this.#life.liveForRpc();
    return dashboardLink(this.#config, this.#session, base, ttlSeconds, grant);
  }

  /** The sign-out epoch every owner credential of this session must carry (owner-epoch.ts). */
  async ownerEpoch(): Promise<number> {
    await this.#life.liveForRpc();
    return this.#epoch.current();
  }

  /** Sign out everywhere: every owner token, login link and cookie of this session is refused from now on. */
  async signOutEverywhere(): Promise<{ epoch: number }> {
    await this.#life.liveForRpc();
    const epoch = await this.#epoch.bump();
    this.#grants.signedOut(epoch);
    this.#logReads.signedOut(epoch);
    this.#feed.end('signout');
    this.events.signedOut(epoch);
    return { epoch };
  }

  /** Spend a one-time login id (`expiresAt`: its token's expiry, seconds since the epoch); false if spent before. */
  async useLogin(id: string, expiresAt: number): Promise<boolean> {
    await this.#life.liveForRpc();
    return this.#shares.useLogin(id, expiresAt);
  }

  /**
   * The owner reads the client's request log (request-log.ts) with a credential of `epoch`: the
   * client's answer to stream, or why not (503 `session_offline` without a tunnel); `signed_out` on a
   * stale epoch. The read is one of the session's MAX_STREAMS, but no viewer's and never queued.
   */
  async readRequestLog(read: LogRead, epoch: number): Promise<LogReply> {
    await this.#life.liveForRpc();
    if (epoch !== (await this.#epoch.current())) return { kind: 'signed_out' };
    const tunnel = this.#tunnel.current();
    if (!tunnel) return refused(sessionOffline());
    return this.#logReads.read((request) => this.#viewerStreams.openUnshared(tunnel.mux, request), read, epoch);
  }

  /** RPC from the Worker: the owner of the request-log read `requestId` went away; true if one was ended. */
  async requestLogLeft(requestId: string): Promise<boolean> {
    return this.#logReads.left(requestId);
  }

  /**
   * The dashboard's live feed (feed.ts) for a cookie of `grant.epoch`, ending at `grant.until` (its
   * expiry, epoch seconds); null (none opened) on a stale epoch (a sign-out raced the Worker's check).
   */
  async feed(grant: OwnerGrant): Promise<ReadableStream<Uint8Array> | null> {
    await this.#life.liveForRpc();
    if (grant.epoch !== (await this.#epoch.current())) return null;
    return this.#feed.open(grant.until);
  }

  /**
   * The operator's event feed (events.ts) on `base`, for a credential that expires at `grant.until`
   * (null: the admin token) of owner epoch `grant.epoch` (null: not an owner token): the
   * `text/event-stream` body; 'too_many_feeds' when MAX_EVENT_FEEDS are open; 'signed_out' on a
   * stale epoch (a sign-out raced the Worker's check).
   */
  async eventFeed(base: Base, grant: FeedGrant): Promise<ReadableStream<Uint8Array> | 'too_many_feeds' | 'signed_out'> {
    await this.#life.liveForRpc();
    if (grant.epoch !== null && grant.epoch !== (await this.#epoch.current())) return 'signed_out';
    return this.#source.open(base, grant);
  }

  /** RPC from the Worker: the reader of the event feed of `requestId` went away; true if one was dropped. */
  async eventFeedLeft(requestId: string): Promise<boolean> {
    return this.events.left(requestId);
  }

  /** RPC from the admin API at creation: the owner identity, org policy and token expiry (identity-store.ts). */
  async configureIdentity(settings: SessionIdentity): Promise<void> {
    await this.#identity.configure(settings);
    // The session ends by itself at its token's expiry (alarm).
    if (settings.until !== null) await this.#life.setAlarm(settings.until * 1000);
  }

  /** The session's identity settings (identity-store.ts). */
  async sessionIdentity(): Promise<SessionIdentity> {
    await this.#life.liveForRpc();
    return this.#identity.settings();
  }

  /** Sign-in `sid` signed out (`POST /auth/logout`): its credentials of this session are refused until `until`. */
  async signOutIdentity(sid: string, until: number): Promise<void> {
    await this.#life.liveForRpc();
    await this.#identity.signOut(sid, until);
    this.#grants.identitySignedOut(sid);
  }

  /** Whether sign-in `sid`, begun at `issuedAt` (seconds), was signed out of this session (identity-store.ts). */
  async isIdentitySignedOut(sid: string, issuedAt: number): Promise<boolean> {
    await this.#life.liveForRpc();
    return this.#identity.isSignedOut(sid, issuedAt);
  }

  /** A port's effective visibility (the owner's choice, else the client's, else private). */
  async portVisibility(port: number): Promise<Visibility> {
    await this.#life.liveForRpc();
    return this.#built.views.visibility(port);
  }
}
