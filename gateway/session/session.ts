/**
 * The Session Durable Object: one per session VM. It holds the session's
 * tunnel socket (Hibernation API), the port table and share controls (in
 * storage), decides who may open each port (access.ts), bridges each viewer
 * request or WebSocket onto a stream of the tunnel, answers the owner API
 * (RPC from the Worker), and feeds open dashboards their live updates.
 */
import { DurableObject } from 'cloudflare:workers';
import {
  type ApiDashboardLink,
  type ApiLink,
  type ApiLogin,
  type ApiPort,
  type ApiStatus,
  CloseCode,
  type ControlFrame,
  Mux,
  type PortEntry,
  PROTOCOL_VERSION,
  ProtocolError,
  SUBPROTOCOL,
  type Visibility,
} from '../../protocol';
import { mintToken } from '../auth/tokens';
import type { Env } from '../env';
import { GatewayError, notListening } from '../errors';
import { base32 } from '../routing/base32';
import { portHost } from '../routing/label';
import {
  allowed,
  exchange,
  hasUrlCredential,
  identify,
  isPreflight,
  isSessionOrigin,
  LOGIN_PARAM,
  linkRequired,
  privateRefusal,
  reviewerOnPrivate,
  SHARE_PARAM,
} from './access';
import { Deadlines } from './deadlines';
import { proxyHttp } from './http-bridge';
import { proxyWebSocket } from './ws-bridge';
import { DEFAULT_VISIBILITY, PortTable } from './port-table';
import { readRoute, type TunnelRoute, type ViewerRoute } from './route';
import { type ShareLink, ShareStore } from './shares';

const TUNNEL_TAG = 'tunnel';
const DEFAULT_TIMEOUT_SECONDS = 60;
const DEFAULT_VIEWER_IDLE_SECONDS = 60;
const DEFAULT_MAX_STREAMS = 256;
const utf8 = new TextEncoder();

/** Scheme and host of the bare domain, to build URLs with. */
export interface Base {
  scheme: string;
  host: string;
}

/** Per-socket state that must survive hibernation (kept under 2 KiB). */
interface TunnelAttachment {
  session: string;
  base: Base;
  connectedAt: number;
}

interface Tunnel {
  socket: WebSocket;
  mux: Mux;
}

export class Session extends DurableObject<Env> {
  #tunnel: Tunnel | null = null;
  readonly #ports: PortTable;
  readonly #shares: ShareStore;
  readonly #deadlines = new Deadlines<object>();
  /** Open dashboard feeds (server-sent events). */
  readonly #feeds = new Set<WritableStreamDefaultWriter<Uint8Array>>();
  #feedKeepalive: ReturnType<typeof setInterval> | null = null;
  /** When this instance of the object started: a change means it was evicted or hibernated in between. */
  readonly #since = new Date().toISOString();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#ports = new PortTable(ctx.storage);
    this.#shares = new ShareStore(ctx.storage);
    // Keepalives are answered by the runtime, so an idle tunnel lets the object hibernate.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
  }

  override async fetch(request: Request): Promise<Response> {
    const route = readRoute(request, this.env);
    try {
      if (route.kind === 'tunnel') return this.#acceptTunnel(route);
      return await this.#proxy(request, route);
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      const response = error.toResponse(request);
      // A front end on another port of this session may read why its call was refused.
      const origin = request.headers.get('origin');
      if (route.kind === 'viewer' && origin && (await isSessionOrigin(this.env, origin, route.session))) {
        response.headers.set('access-control-allow-origin', origin);
        response.headers.set('access-control-allow-credentials', 'true');
        response.headers.append('vary', 'Origin');
      }
      return response;
    }
  }

  // ── tunnel ──────────────────────────────────────────────────────────────

  #acceptTunnel(route: TunnelRoute): Response {
    // Newest wins: an older tunnel for this session is told why and closed.
    for (const old of this.ctx.getWebSockets(TUNNEL_TAG)) {
      try {
        old.close(CloseCode.REPLACED, 'replaced by a newer connection for this session');
      } catch {
        // Already closing.
      }
    }
    this.#tunnel?.mux.close('the tunnel was replaced by a newer connection');
    this.#tunnel = null;
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server, [TUNNEL_TAG]);
    const attachment: TunnelAttachment = { session: route.session, base: route.base, connectedAt: Date.now() };
    server.serializeAttachment(attachment);
    this.#notify('tunnel');
    return new Response(null, { status: 101, webSocket: client, headers: { 'sec-websocket-protocol': SUBPROTOCOL } });
  }

  /** The live tunnel, rebuilding its multiplexer after hibernation. */
  #current(): Tunnel | null {
    if (this.#tunnel && this.#tunnel.socket.readyState === WebSocket.OPEN && !this.#tunnel.mux.closed) {
      return this.#tunnel;
    }
    // A socket the runtime already knows is closing: its streams fail now, not when the close event comes.
    this.#tunnel?.mux.close('the tunnel closed');
    this.#tunnel = null;
    let newest: { socket: WebSocket; at: number } | null = null;
    for (const socket of this.ctx.getWebSockets(TUNNEL_TAG)) {
      if (socket.readyState !== WebSocket.OPEN) continue;
      const at = (socket.deserializeAttachment() as TunnelAttachment | null)?.connectedAt ?? 0;
      if (!newest || at > newest.at) newest = { socket, at };
    }
    this.#tunnel = newest ? this.#bind(newest.socket) : null;
    return this.#tunnel;
  }

  #bind(socket: WebSocket): Tunnel {
    const tunnel: Tunnel = {
      socket,
      mux: new Mux({
        role: 'gateway',
        // Ids restart at a random point after hibernation, so they never collide with late frames.
        firstStreamId: crypto.getRandomValues(new Uint32Array(1))[0] as number,
        send: (bytes) => {
          try {
            socket.send(bytes);
          } catch {
            tunnel.mux.close('the tunnel socket is closed');
          }
        },
        onControl: (frame) => {
          void this.#control(tunnel, frame).catch((error: unknown) => this.#drop(tunnel, 1011, String(error)));
        },
      }),
    };
    return tunnel;
  }

  #drop(tunnel: Tunnel, code: number, reason: string): void {
    tunnel.mux.close(reason);
    try {
      tunnel.socket.close(code, reason.slice(0, 120));
    } catch {
      // Already closed.
    }
    if (this.#tunnel === tunnel) this.#tunnel = null;
  }

  override async webSocketMessage(socket: WebSocket, message: string | ArrayBuffer): Promise<void> {
    if (typeof message === 'string') {
      if (message === 'ping') socket.send('pong');
      return;
    }
    const tunnel = this.#current();
    // Frames from a replaced socket are not ours to act on.
    if (!tunnel || tunnel.socket !== socket) return;
    try {
      tunnel.mux.receive(new Uint8Array(message));
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.#drop(tunnel, CloseCode.PROTOCOL_ERROR, `protocol error: ${error.message}`);
    }
  }

  override async webSocketClose(socket: WebSocket, code: number, reason: string): Promise<void> {
    if (this.#tunnel?.socket === socket) {
      this.#tunnel.mux.close(`the tunnel closed (${code}${reason ? `: ${reason}` : ''})`);
      this.#tunnel = null;
    }
    this.#notify('tunnel');
    try {
      socket.close(1000, 'closed');
    } catch {
      // Already closed.
    }
  }

  override async webSocketError(socket: WebSocket): Promise<void> {
    await this.webSocketClose(socket, 1006, 'socket error');
  }

  // ── ports ───────────────────────────────────────────────────────────────

  async #control(tunnel: Tunnel, frame: ControlFrame): Promise<void> {
    if (frame.type === 'HELLO') await this.#ports.reconcile(frame.body.ports);
    else if (frame.type === 'PORTS') await this.#ports.apply(frame.body);
    else return;
    await this.#welcome(tunnel);
  }

  /** Tell the client the whole port table, with each port's URL and who may open it. */
  async #welcome(tunnel: Tunnel): Promise<void> {
    const attachment = tunnel.socket.deserializeAttachment() as TunnelAttachment;
    const ports: PortEntry[] = [];
    for (const stored of await this.#ports.list()) {
      ports.push({
        ...stored,
        url: await this.#portUrl(attachment.base, attachment.session, stored.port),
        visibility: await this.#visibility(stored.port),
      });
    }
    tunnel.mux.control({
      type: 'WELCOME',
      stream: 0,
      body: { version: PROTOCOL_VERSION, session: attachment.session, ports },
    });
    this.#notify('ports');
  }

  async #portUrl(base: Base, session: string, port: number): Promise<string> {
    return `${base.scheme}://${await portHost(this.env, session, port, base.host)}/`;
  }

  /** The owner's explicit choice, else what the client asked for, else private. */
  async #visibility(port: number): Promise<Visibility> {
    return (await this.#shares.visibility(port)) ?? (await this.#ports.get(port))?.visibility ?? DEFAULT_VISIBILITY;
  }

  // ── owner API (RPC from the Worker, which has checked the owner token) ──

  /** The session at a glance: tunnel, streams in flight, and how long this object has been awake. */
  async status(): Promise<ApiStatus> {
    const tunnel = this.#current();
    const attachment = tunnel?.socket.deserializeAttachment() as TunnelAttachment | undefined;
    return {
      tunnel: tunnel ? 'connected' : 'offline',
      ...(attachment ? { connectedAt: new Date(attachment.connectedAt).toISOString() } : {}),
      streams: tunnel?.mux.stats().open ?? 0,
      awakeSince: this.#since,
    };
  }

  async listPorts(base: Base, session: string): Promise<ApiPort[]> {
    const explicit = await this.#shares.visibilities();
    const out = new Map<number, ApiPort>();
    for (const stored of await this.#ports.list()) {
      out.set(stored.port, {
        port: stored.port,
        url: await this.#portUrl(base, session, stored.port),
        ...(stored.process ? { process: stored.process } : {}),
        visibility: explicit[stored.port] ?? stored.visibility,
        listening: true,
        firstSeen: stored.firstSeen,
      });
    }
    for (const [key, visibility] of Object.entries(explicit)) {
      const port = Number(key);
      if (!out.has(port)) {
        out.set(port, { port, url: await this.#portUrl(base, session, port), visibility, listening: false });
      }
    }
    return [...out.values()].sort((a, b) => a.port - b.port);
  }

  async setVisibility(base: Base, session: string, port: number, visibility: Visibility): Promise<ApiPort> {
    await this.#shares.setVisibility(port, visibility);
    this.#notify('ports');
    const tunnel = this.#current();
    if (tunnel) await this.#welcome(tunnel);
    return (await this.listPorts(base, session)).find((p) => p.port === port) as ApiPort;
  }

  async createLink(base: Base, session: string, port: number, ttlSeconds: number, label?: string): Promise<ApiLink> {
    const link: ShareLink = {
      id: base32(crypto.getRandomValues(new Uint8Array(8))),
      port,
      createdAt: new Date().toISOString(),
      expiresAt: Math.floor(Date.now() / 1000) + ttlSeconds,
      ...(label ? { label } : {}),
    };
    try {
      await this.#shares.addLink(link);
    } catch (error) {
      if (error instanceof RangeError) throw new GatewayError(409, 'too_many_links', error.message);
      throw error;
    }
    this.#notify('links');
    return this.#linkView(base, session, link, true);
  }

  /** The live links, each with a working URL (the same id and expiry as when it was created). */
  async listLinks(base: Base, session: string): Promise<ApiLink[]> {
    const links = await this.#shares.links();
    return Promise.all(links.map((link) => this.#linkView(base, session, link, true)));
  }

  async revokeLink(base: Base, session: string, id: string): Promise<ApiLink | null> {
    const link = await this.#shares.revoke(id);
    if (link) this.#notify('links');
    return link ? this.#linkView(base, session, link, false) : null;
  }

  async loginLink(base: Base, session: string, port: number, ttlSeconds: number): Promise<ApiLogin> {
    const token = await mintToken(this.env, 'login', { session, port, jti: crypto.randomUUID(), ttlSeconds });
    return {
      url: `${await this.#portUrl(base, session, port)}?${LOGIN_PARAM}=${token}`,
      port,
      expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString(),
    };
  }

  /** A one-time link to the session's dashboard (a login token with no port). */
  async dashboardLink(base: Base, session: string, ttlSeconds: number): Promise<ApiDashboardLink> {
    const token = await mintToken(this.env, 'login', { session, jti: crypto.randomUUID(), ttlSeconds });
    return {
      url: `${base.scheme}://${base.host}/s/${session}?${LOGIN_PARAM}=${token}`,
      expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString(),
    };
  }

  /** Spend a one-time login id; false if it was spent before. */
  async useLogin(id: string, expiresAt: number): Promise<boolean> {
    return this.#shares.useLogin(id, expiresAt);
  }

  /**
   * The dashboard's live feed: server-sent events, one `change` event (naming what changed:
   * ports, links, tunnel) whenever the dashboard should redraw, and a comment every 25 s.
   * An open feed keeps this object awake; the runtime ends it when the viewer goes.
   */
  feed(): ReadableStream<Uint8Array> {
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    this.#feeds.add(writer);
    void writer.write(utf8.encode(`retry: 2000\nevent: change\ndata: {"what":"hello"}\n\n`)).catch(() => {
      this.#feeds.delete(writer);
    });
    this.#feedKeepalive ??= setInterval(() => this.#send(': keepalive\n\n'), 25_000);
    return readable;
  }

  #notify(what: 'ports' | 'links' | 'tunnel'): void {
    this.#send(`event: change\ndata: {"what":"${what}"}\n\n`);
  }

  #send(text: string): void {
    const bytes = utf8.encode(text);
    for (const writer of this.#feeds) {
      writer.write(bytes).catch(() => {
        this.#feeds.delete(writer);
        if (this.#feeds.size === 0 && this.#feedKeepalive) {
          clearInterval(this.#feedKeepalive);
          this.#feedKeepalive = null;
        }
      });
    }
  }

  /** A link as the API shows it; a revoked one's URL no longer carries its token. */
  async #linkView(base: Base, session: string, link: ShareLink, withToken: boolean): Promise<ApiLink> {
    let url = await this.#portUrl(base, session, link.port);
    if (withToken) {
      const { id: jti, port, expiresAt } = link;
      url += `?${SHARE_PARAM}=${await mintToken(this.env, 'share', { session, port, jti, expiresAt })}`;
    }
    return {
      id: link.id,
      url,
      port: link.port,
      ...(link.label ? { label: link.label } : {}),
      createdAt: link.createdAt,
      expiresAt: new Date(link.expiresAt * 1000).toISOString(),
    };
  }

  // ── viewers ─────────────────────────────────────────────────────────────

  async #proxy(request: Request, route: ViewerRoute): Promise<Response> {
    if (hasUrlCredential(route.url)) {
      return exchange(
        {
          env: this.env,
          shares: this.#shares,
          route,
          visibility: await this.#visibility(route.port),
          chain: () => this.#nonPublicPorts(),
        },
        request,
      );
    }
    const tunnel = this.#current();
    if (!tunnel) {
      throw new GatewayError(
        503,
        'session_offline',
        'This session is offline: its tunnel is not connected. Try again once the session is running.',
        { 'retry-after': '5' },
      );
    }
    if (!(await this.#ports.get(route.port))) throw notListening(route.port);
    // Whether a port is up is no secret of the origin; what it serves is, from here on.
    const visibility = await this.#visibility(route.port);
    if (visibility !== 'public') {
      const viewer = await identify(this.env, this.#shares, request, route);
      if (!allowed(visibility, viewer)) {
        // A preflight carries no cookie; from another port of this session it goes to the app,
        // whose own CORS answer then governs the real request (which does carry the cookie).
        const preflight =
          viewer.kind === 'anyone' &&
          isPreflight(request) &&
          (await isSessionOrigin(this.env, request.headers.get('origin'), route.session));
        if (!preflight) {
          if (viewer.kind === 'reviewer') throw reviewerOnPrivate(route.scheme);
          throw visibility === 'private' ? privateRefusal(route.port) : linkRequired(route.port);
        }
      }
    }
    const maxStreams = Number(this.env.MAX_STREAMS) || DEFAULT_MAX_STREAMS;
    if (tunnel.mux.stats().open >= maxStreams) {
      throw new GatewayError(
        503,
        'too_many_streams',
        `This session is serving ${maxStreams} requests and WebSockets at once, its limit. Try again in a moment.`,
        { 'retry-after': '1' },
      );
    }
    const limits = {
      originTimeout: Number(this.env.ORIGIN_TIMEOUT) || DEFAULT_TIMEOUT_SECONDS,
      viewerIdle: Number(this.env.VIEWER_IDLE_TIMEOUT) || DEFAULT_VIEWER_IDLE_SECONDS,
    };
    if (request.headers.get('upgrade')?.toLowerCase() === 'websocket') {
      return proxyWebSocket(tunnel.mux, request, route, limits, this.#deadlines);
    }
    return proxyHttp(tunnel.mux, request, route, limits, this.#deadlines);
  }

  /** Listening ports only the owner (or link holders) may open: what one login covers. */
  async #nonPublicPorts(): Promise<number[]> {
    const ports: number[] = [];
    for (const stored of await this.#ports.list()) {
      if ((await this.#visibility(stored.port)) !== 'public') ports.push(stored.port);
    }
    return ports;
  }
}
