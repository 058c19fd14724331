/**
 * The Session Durable Object: one per session VM. It holds the session's
 * tunnel socket (Hibernation API), the port table, and bridges each viewer
 * request onto a stream of the tunnel.
 */
import { DurableObject } from 'cloudflare:workers';
import {
  CloseCode,
  type ControlFrame,
  Mux,
  type PortEntry,
  PROTOCOL_VERSION,
  ProtocolError,
  SUBPROTOCOL,
} from '../../protocol';
import type { Env } from '../env';
import { GatewayError, notListening } from '../errors';
import { portHost } from '../routing/label';
import { Deadlines } from './deadlines';
import { proxyHttp } from './http-bridge';
import { PortTable } from './port-table';
import { readRoute, type TunnelRoute, type ViewerRoute } from './route';

const TUNNEL_TAG = 'tunnel';
const DEFAULT_TIMEOUT_SECONDS = 60;
const DEFAULT_VIEWER_IDLE_SECONDS = 60;

/** Per-socket state that must survive hibernation (kept under 2 KiB). */
interface TunnelAttachment {
  session: string;
  base: { scheme: string; host: string };
  connectedAt: number;
}

interface Tunnel {
  socket: WebSocket;
  mux: Mux;
}

export class Session extends DurableObject<Env> {
  #tunnel: Tunnel | null = null;
  readonly #ports: PortTable;
  readonly #deadlines = new Deadlines<object>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#ports = new PortTable(ctx.storage);
    // Keepalives are answered by the runtime, so an idle tunnel lets the object hibernate.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair('ping', 'pong'));
  }

  override async fetch(request: Request): Promise<Response> {
    const route = readRoute(request, this.env);
    try {
      if (route.kind === 'tunnel') return this.#acceptTunnel(route);
      return await this.#proxy(request, route);
    } catch (error) {
      if (error instanceof GatewayError) return error.toResponse(request);
      throw error;
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
    return new Response(null, { status: 101, webSocket: client, headers: { 'sec-websocket-protocol': SUBPROTOCOL } });
  }

  /** The live tunnel, rebuilding its multiplexer after hibernation. */
  #current(): Tunnel | null {
    if (this.#tunnel && this.#tunnel.socket.readyState === WebSocket.OPEN && !this.#tunnel.mux.closed) {
      return this.#tunnel;
    }
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
    const attachment = tunnel.socket.deserializeAttachment() as TunnelAttachment;
    const ports: PortEntry[] = [];
    for (const stored of await this.#ports.list()) {
      const host = await portHost(this.env, attachment.session, stored.port, attachment.base.host);
      ports.push({ ...stored, url: `${attachment.base.scheme}://${host}/` });
    }
    tunnel.mux.control({
      type: 'WELCOME',
      stream: 0,
      body: { version: PROTOCOL_VERSION, session: attachment.session, ports },
    });
  }

  // ── viewers ─────────────────────────────────────────────────────────────

  async #proxy(request: Request, route: ViewerRoute): Promise<Response> {
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
    if (request.headers.get('upgrade')?.toLowerCase() === 'websocket') {
      throw new GatewayError(
        501,
        'websocket_unsupported',
        'WebSocket previews are not supported by this gateway version yet.',
      );
    }
    const limits = {
      originTimeout: Number(this.env.ORIGIN_TIMEOUT) || DEFAULT_TIMEOUT_SECONDS,
      viewerIdle: Number(this.env.VIEWER_IDLE_TIMEOUT) || DEFAULT_VIEWER_IDLE_SECONDS,
    };
    return proxyHttp(tunnel.mux, request, route, limits, this.#deadlines);
  }
}
