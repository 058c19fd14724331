/**
 * The Session Durable Object: one per session VM, named by its session id (`ctx.id.name`). A table
 * of entry points, each handed to the file that owns its job:
 * - fetch: the client's tunnel upgrade (tunnel.ts) or a viewer's request, admitted by the access
 *   policy (access/admission.ts) and its share (viewers.ts), bridged (http-bridge.ts, ws-bridge.ts);
 *   the client's data connection for a viewer's WebSocket (data-sockets.ts); the owner's forwarded
 *   TCP connection (tcp-bridge.ts);
 * - webSocketMessage / Close / Error: the tunnel socket (tunnel.ts);
 * - RPC from the Worker, each through rpc.ts (a GatewayError crosses as itself): a viewer, a
 *   request-log reader or an event feed that left; for the owner (the Worker checked the token):
 *   status, ports and visibility (owner-rpc.ts), links, logins and sign-out (links-rpc.ts); for the
 *   operator: the session's state, asleep or awake, and its end (operator-rpc.ts, lifecycle.ts);
 *   sign-in's questions and the identity set at creation (identity-rpc.ts); the dashboard's feed and
 *   the event feed (feeds-rpc.ts: feed.ts, events.ts, event-source.ts). Those files work with the
 *   object's parts (parts.ts). Ports, visibility and links live in storage (port-table.ts,
 *   shares.ts); the client's control frames and snapshots are port-control.ts's.
 * - alarm: the session token's expiry ends the session (lifecycle.ts); a tunnel's token's closes it.
 * An ended session (no identity record) answers 410 `session_ended` at every entry point (lifecycle.ts).
 */
import { DurableObject } from 'cloudflare:workers';
import type {
  ApiDashboardLink,
  ApiLink,
  ApiLogin,
  ApiPort,
  ApiSession,
  ApiSessionEnded,
  ApiStatus,
  ExposeRequest,
  SessionState,
  Visibility,
} from '../../protocol';
import { acknowledge, CONTINUE_PARAM, needsWarning, warningIfPublic } from '../access/interstitial';
import { hasUrlCredential } from '../access/credentials';
import type { OwnerGrant } from '../access/owner-grant';
import { forwardedEmail, openViewer } from '../access/policy';
import type { Env } from '../env';
import { errorResponse, notListening, sessionAsleep, sessionEnded, sessionOffline } from '../errors';
import { type Base, readRoute, type ViewerRoute } from '../routing/route';
import type { FeedGrant } from './events';
import { FeedsRpc } from './feeds-rpc';
import { proxyHttp } from './http-bridge';
import { IdentityRpc } from './identity-rpc';
import type { SessionIdentity } from './identity-store';
import type { EndReason } from './lifecycle';
import { LinksRpc } from './links-rpc';
import { OperatorRpc } from './operator-rpc';
import type { OwnerPortOutcome } from './owner-ports';
import { OwnerRpc } from './owner-rpc';
import { SessionParts } from './parts';
import { proxyPreflight } from './preflight';
import type { LogRead, LogReply } from './request-log';
import { overRpc } from './rpc';
import { serveTcp } from './tcp-bridge';
import { viewerKey } from './viewers';
import { proxyWebSocket } from './ws-bridge';

export class Session extends DurableObject<Env> {
  readonly #p: SessionParts;
  readonly #owner: OwnerRpc;
  readonly #links: LinksRpc;
  readonly #operator: OperatorRpc;
  readonly #signIn: IdentityRpc;
  readonly #feeds: FeedsRpc;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#p = new SessionParts(ctx, env);
    this.#owner = new OwnerRpc(this.#p);
    this.#links = new LinksRpc(this.#p);
    this.#operator = new OperatorRpc(this.#p);
    this.#signIn = new IdentityRpc(this.#p);
    this.#feeds = new FeedsRpc(this.#p);
    // Keepalives are answered by the runtime, so an idle tunnel lets the object hibernate.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
  }

  // ── fetch: the tunnel upgrade, or a viewer ───────────────────────────────

  override async fetch(request: Request): Promise<Response> {
    const route = readRoute(request, this.#p.session);
    try {
      await this.#p.life.live();
      if (route.kind === 'tunnel') return await this.#p.tunnel.accept(route.base, route.expiresAt);
      if (route.kind === 'data') return await this.#p.dataSockets.attach(route.stream);
      if (route.kind === 'tcp') return await serveTcp(this.#p, request, route);
      return await this.#viewer(request, route);
    } catch (error) {
      // A request the end cut short (its stream reset, its tunnel closed) is answered as the end.
      const response = errorResponse(this.#p.life.ended ? sessionEnded() : error, request);
      // (Without the admission built, the config itself failed: no CORS to add. A data connection is the client's.)
      const access = this.#p.accessIfBuilt();
      return access && route.kind === 'viewer' ? access.corsForSibling(response, request, route) : response;
    }
  }

  async #viewer(request: Request, route: ViewerRoute): Promise<Response> {
    const access = this.#p.access();
    if (hasUrlCredential(route.url)) return access.exchange(request, route);
    if (route.url.searchParams.has(CONTINUE_PARAM)) return acknowledge(route.url, route.scheme);
    // Who may see the port comes first: a stranger to a private port gets the same refusal whether its
    // server is up, down, never announced, or the session offline (docs/viewer-answers.md).
    const viewer = await access.admit(request, route);
    if ((await this.#p.life.state()) === 'asleep') throw sessionAsleep();
    if (!this.#p.tunnel.current()) throw sessionOffline();
    if (!(await this.#p.ports.get(route.port))) throw notListening(route.port);
    if (viewer.kind !== 'preflight' && this.#p.config().publicPreviewWarning && needsWarning(request)) {
      const warning = await warningIfPublic(route, this.#p.session, this.#p.views());
      if (warning) return warning;
    }
    // A stream now, or a turn in the session's fair queue (viewers.ts); the grants are checked when it opens.
    const admission = this.#p.viewerStreams.admit(viewerKey(route.clientIp), {
      requestId: route.requestId,
      signal: request.signal,
    });
    const slot = admission instanceof Promise ? await admission : admission;
    try {
      if (this.#p.life.ended) throw sessionEnded();
      const tunnel = this.#p.tunnel.current();
      if (!tunnel) throw sessionOffline();
      const counted = slot.opener(tunnel.mux);
      if (viewer.kind === 'preflight') {
        return await proxyPreflight(counted, request, route, this.#p.config(), this.#p.deadlines);
      }
      const mux = this.#p.grants.opener(viewer, route.port, counted);
      const who = openViewer(viewer);
      const email = forwardedEmail(viewer, this.#p.config());
      if (request.headers.get('upgrade')?.toLowerCase() === 'websocket') {
        const sockets = this.#p.dataSockets;
        const upgraded = await proxyWebSocket(
          mux,
          request,
          route,
          this.#p.config(),
          this.#p.deadlines,
          sockets,
          who,
          email,
        );
        return this.#unlessEnded(upgraded);
      }
      const response = await proxyHttp(mux, request, route, this.#p.config(), this.#p.deadlines, who, email);
      return access.limitFraming(this.#unlessEnded(response), request, route);
    } finally {
      slot.release();
    }
  }

  /** `response`, unless the session ended while it was made: its stream was reset by the end (410). */
  #unlessEnded(response: Response): Response {
    if (this.#p.life.ended) throw sessionEnded();
    return response;
  }

  // ── the tunnel socket ────────────────────────────────────────────────────

  override async webSocketMessage(socket: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.#p.tunnel.message(socket, message);
  }

  override async webSocketClose(socket: WebSocket, code: number, reason: string): Promise<void> {
    this.#p.tunnel.closed(socket, code, reason);
  }

  override async webSocketError(socket: WebSocket, error: unknown): Promise<void> {
    this.#p.tunnel.failed(socket, error);
  }

  /**
   * The session's expiry (set at creation: configureIdentity) ends it (lifecycle.ts); a tunnel's
   * session token that expired (TunnelSocket.accept set the alarm) closes it (current()). Early: set again.
   */
  override async alarm(): Promise<void> {
    const record = this.#p.life.ended ? null : await this.#p.identity.record();
    if (!record) return; // Ended, or never created: nothing to do, nothing to write.
    const now = Date.now();
    if (record.until !== null && record.until * 1000 <= now) {
      await this.#p.life.end('expired');
      return;
    }
    const tunnelAt = this.#p.tunnel.current()?.attachment.expiresAt;
    const next = Math.min(record.until ?? Infinity, tunnelAt ?? Infinity);
    if (next !== Infinity) await this.#p.life.setAlarm(next * 1000);
  }

  // ── RPC from the Worker: each method's work is its file's, through overRpc (rpc.ts) ─────────
  // `base` is the scheme and host of the bare domain the caller used, to build URLs with.

  // The operator (routes/lifecycle.ts checked the token): operator-rpc.ts.
  info(): Promise<ApiSession> {
    return overRpc(() => this.#operator.info());
  }
  setState(state: SessionState): Promise<ApiSession> {
    return overRpc(() => this.#operator.setState(state));
  }
  end(reason: EndReason = 'ended'): Promise<ApiSessionEnded> {
    return overRpc(() => this.#operator.end(reason));
  }
  storedKeys(): Promise<{ keys: string[]; tables: string[]; alarm: number | null }> {
    return overRpc(() => this.#operator.storedKeys());
  }

  /** From routes/preview.ts: the viewer of `requestId` disconnected; true if a stream was reset. */
  viewerLeft(requestId: string): Promise<boolean> {
    return overRpc(() => this.#p.viewerStreams.left(requestId));
  }

  // The owner (the Worker checked the owner token): status, ports, the request log (owner-rpc.ts).
  status(): Promise<ApiStatus> {
    return overRpc(() => this.#owner.status());
  }
  listPorts(base: Base): Promise<ApiPort[]> {
    return overRpc(() => this.#owner.listPorts(base));
  }
  setVisibility(
    base: Base,
    port: number,
    visibility: Visibility,
  ): Promise<ApiPort | 'too_many_requests' | 'org_policy_missing'> {
    return overRpc(() => this.#owner.setVisibility(base, port, visibility));
  }
  requestExpose(request: ExposeRequest): Promise<OwnerPortOutcome | 'org_policy_missing'> {
    return overRpc(() => this.#owner.requestExpose(request));
  }
  requestUnexpose(port: number): Promise<OwnerPortOutcome> {
    return overRpc(() => this.#owner.requestUnexpose(port));
  }
  readRequestLog(read: LogRead, epoch: number): Promise<LogReply> {
    return overRpc(() => this.#owner.readRequestLog(read, epoch));
  }
  /** The owner of the request-log read `requestId` went away; true if one was ended. */
  requestLogLeft(requestId: string): Promise<boolean> {
    return overRpc(() => this.#p.logReads.left(requestId));
  }

  // The owner: links, logins, the sign-out epoch (links-rpc.ts).
  createLink(base: Base, port: number, ttlSeconds: number, label?: string): Promise<ApiLink> {
    return overRpc(() => this.#links.createLink(base, port, ttlSeconds, label));
  }
  listLinks(base: Base): Promise<ApiLink[]> {
    return overRpc(() => this.#links.listLinks(base));
  }
  revokeLink(base: Base, id: string): Promise<ApiLink | null> {
    return overRpc(() => this.#links.revokeLink(base, id));
  }
  loginLink(base: Base, port: number, ttlSeconds: number, grant: OwnerGrant): Promise<ApiLogin> {
    return overRpc(() => this.#links.loginLink(base, port, ttlSeconds, grant));
  }
  dashboardLink(base: Base, ttlSeconds: number, grant: OwnerGrant): Promise<ApiDashboardLink> {
    return overRpc(() => this.#links.dashboardLink(base, ttlSeconds, grant));
  }
  ownerEpoch(): Promise<number> {
    return overRpc(() => this.#links.ownerEpoch());
  }
  signOutEverywhere(): Promise<{ epoch: number }> {
    return overRpc(() => this.#links.signOutEverywhere());
  }
  useLogin(id: string, expiresAt: number): Promise<boolean> {
    return overRpc(() => this.#links.useLogin(id, expiresAt));
  }

  // The feeds (feeds-rpc.ts): the dashboard's, and the operator's event feed.
  feed(grant: OwnerGrant): Promise<ReadableStream<Uint8Array> | null> {
    return overRpc(() => this.#feeds.feed(grant));
  }
  eventFeed(base: Base, grant: FeedGrant): Promise<ReadableStream<Uint8Array> | 'too_many_feeds' | 'signed_out'> {
    return overRpc(() => this.#feeds.eventFeed(base, grant));
  }
  /** The reader of the event feed of `requestId` went away; true if one was dropped. */
  eventFeedLeft(requestId: string): Promise<boolean> {
    return overRpc(() => this.#p.events.left(requestId));
  }

  // Sign-in, and the identity set at creation (identity-rpc.ts).
  configureIdentity(settings: SessionIdentity): Promise<void> {
    return overRpc(() => this.#signIn.configureIdentity(settings));
  }
  sessionIdentity(): Promise<SessionIdentity> {
    return overRpc(() => this.#signIn.sessionIdentity());
  }
  signOutIdentity(sid: string, until: number): Promise<void> {
    return overRpc(() => this.#signIn.signOutIdentity(sid, until));
  }
  isIdentitySignedOut(sid: string, issuedAt: number): Promise<boolean> {
    return overRpc(() => this.#signIn.isIdentitySignedOut(sid, issuedAt));
  }
  portVisibility(port: number): Promise<Visibility> {
    return overRpc(() => this.#signIn.portVisibility(port));
  }
}
