/**
 * The session's one tunnel socket, held with the WebSocket Hibernation API:
 * accept (the newest connection replaces an older one), rebind after
 * hibernation (the socket survives, the multiplexer in memory does not),
 * drop, and the runtime's webSocket* events. What a control frame means
 * (the port table) is the Session object's business, through `onControl`.
 */
import {
  CloseCode,
  type ControlFrame,
  FrameCode,
  Mux,
  parseAck,
  probeMessage,
  ProtocolError,
  SUBPROTOCOL,
} from '../../protocol';
import { closeSocket } from './close-socket';
import { UNREAD_REASON, UnreadBudget } from './unread';
import type { Base } from '../routing/route';

const TUNNEL_TAG = 'tunnel';

/** The control frames a client sends: the only ones the gateway's multiplexer passes on. */
export type ClientControlFrame = Extract<ControlFrame, { type: 'HELLO' | 'PORTS' }>;

/** Per-socket state that must survive hibernation (kept far under the 2 KiB limit). */
export interface TunnelAttachment {
  base: Base;
  /** Milliseconds since the epoch. */
  connectedAt: number;
  /** When its session token expires, seconds since the epoch (none: a tunnel accepted before this field). */
  expiresAt?: number;
}

/** The reason a tunnel is closed with (CloseCode.SESSION_EXPIRED) when its session token expires. */
export const EXPIRED_REASON = 'the session token has expired: start the session again with a new token';

/** A live tunnel: its socket and the multiplexer over it (rebuilt after hibernation). */
export interface Tunnel {
  socket: WebSocket;
  mux: Mux;
  attachment: TunnelAttachment;
  /** What was sent and not yet acknowledged, and the DATA credit it leaves (starts afresh after hibernation). */
  unread: UnreadBudget;
}

export interface TunnelHooks {
  /** A control frame (HELLO, PORTS) from the client; a rejection drops the tunnel with 1011. */
  onControl(tunnel: Tunnel, frame: ClientControlFrame): Promise<void>;
  /** The tunnel came or went (for the dashboard feed). */
  onChange(): void;
  /** Most streams open at once on a tunnel (MAX_STREAMS); read when a tunnel is bound. */
  maxStreams(): number;
  /** Set the object's alarm for a tunnel whose session token expires at `expiresAt` (seconds since the epoch). */
  setAlarm(expiresAt: number): Promise<void>;
}

export class TunnelSocket {
  readonly #ctx: DurableObjectState;
  readonly #hooks: TunnelHooks;
  #tunnel: Tunnel | null = null;

  constructor(ctx: DurableObjectState, hooks: TunnelHooks) {
    this.#ctx = ctx;
    this.#hooks = hooks;
  }

  /**
   * Accept a client's tunnel (its session token, which expires at `expiresAt` in seconds since the
   * epoch, already verified), replacing any older one; an alarm is set for that expiry (hooks.setAlarm:
   * the Session object's `alarm` calls current(), which closes it). The 101 answer.
   */
  async accept(base: Base, expiresAt: number): Promise<Response> {
    // First, so that a failure leaves the tunnel as it was (the newest tunnel's expiry replaces any older one's).
    await this.#hooks.setAlarm(expiresAt);
    for (const old of this.#ctx.getWebSockets(TUNNEL_TAG)) {
      closeSocket(old, CloseCode.REPLACED, 'replaced by a newer connection for this session');
    }
    this.#tunnel?.mux.close('the tunnel was replaced by a newer connection');
    this.#tunnel = null;
    const { 0: client, 1: server } = new WebSocketPair();
    this.#ctx.acceptWebSocket(server, [TUNNEL_TAG]);
    const attachment: TunnelAttachment = { base, connectedAt: Date.now(), expiresAt };
    server.serializeAttachment(attachment);
    this.#hooks.onChange();
    return new Response(null, { status: 101, webSocket: client, headers: { 'sec-websocket-protocol': SUBPROTOCOL } });
  }

  /**
   * The live tunnel, rebinding the newest open socket after hibernation; null when none is open.
   * A tunnel whose session token has expired is closed here (CloseCode.SESSION_EXPIRED, final for
   * the client) and is not returned: a tunnel serves no longer than the token it was opened with.
   */
  current(): Tunnel | null {
    const tunnel = this.#open();
    const expiresAt = tunnel?.attachment.expiresAt;
    if (!tunnel || expiresAt === undefined || expiresAt * 1000 > Date.now()) return tunnel;
    this.drop(tunnel, CloseCode.SESSION_EXPIRED, EXPIRED_REASON);
    this.#hooks.onChange();
    return null;
  }

  #open(): Tunnel | null {
    if (this.#tunnel && this.#tunnel.socket.readyState === WebSocket.OPEN && !this.#tunnel.mux.closed) {
      return this.#tunnel;
    }
    // A socket the runtime already knows is closing: its streams fail now, not when the close event comes.
    this.#tunnel?.mux.close('the tunnel closed');
    this.#tunnel = null;
    let newest: { socket: WebSocket; attachment: TunnelAttachment } | null = null;
    for (const socket of this.#ctx.getWebSockets(TUNNEL_TAG)) {
      if (socket.readyState !== WebSocket.OPEN) continue;
      const attachment = socket.deserializeAttachment() as TunnelAttachment | null;
      if (!attachment) continue;
      if (!newest || attachment.connectedAt > newest.attachment.connectedAt) newest = { socket, attachment };
    }
    this.#tunnel = newest ? this.#bind(newest.socket, newest.attachment) : null;
    return this.#tunnel;
  }

  #bind(socket: WebSocket, attachment: TunnelAttachment): Tunnel {
    const unread = new UnreadBudget();
    const tunnel: Tunnel = {
      socket,
      attachment,
      unread,
      mux: new Mux({
        role: 'gateway',
        // Ids restart at a random point after hibernation, so they never collide with late frames.
        firstStreamId: crypto.getRandomValues(new Uint32Array(1))[0] as number,
        maxStreams: this.#hooks.maxStreams(),
        // DATA waits while UNREAD_WINDOW_BYTES stand unacknowledged, whatever windows the client granted.
        sharedCredit: unread,
        send: (bytes) => {
          try {
            socket.send(bytes);
          } catch (error) {
            tunnel.mux.close(`the tunnel socket is closed (${String(error)})`);
            return;
          }
          this.#counted(tunnel, bytes.byteLength, bytes[0] === FrameCode.DATA);
        },
        onControl: (frame) => {
          // A gateway's multiplexer refuses any other control frame as a protocol error (mux.ts).
          void this.#hooks.onControl(tunnel, frame as ClientControlFrame).catch((error: unknown) => {
            console.error('porthole: a control frame failed; dropping the tunnel:', error);
            this.drop(tunnel, 1011, String(error));
          });
        },
      }),
    };
    return tunnel;
  }

  /**
   * Count a frame sent: a probe every PROBE_EVERY_BYTES; DATA then waits past UNREAD_WINDOW_BYTES
   * unacknowledged (the multiplexer's shared credit), and past UNREAD_BUDGET_BYTES of other frames
   * unacknowledged the tunnel is closed with 1008 (a client that stopped reading).
   */
  #counted(tunnel: Tunnel, bytes: number, data: boolean): void {
    const verdict = tunnel.unread.sent(bytes, data);
    if (verdict.over) {
      if (tunnel.socket.readyState === WebSocket.OPEN) {
        console.warn(`porthole: ${UNREAD_REASON} (${tunnel.unread.unread} bytes unread); closing its tunnel`);
      }
      this.drop(tunnel, CloseCode.POLICY, UNREAD_REASON);
    } else if (verdict.probe !== undefined) {
      try {
        tunnel.socket.send(probeMessage(verdict.probe));
      } catch (error) {
        tunnel.mux.close(`the tunnel socket is closed (${String(error)})`);
      }
    }
  }

  /** Close the tunnel with a close code and reason; its streams fail with the reason. */
  drop(tunnel: Tunnel, code: number, reason: string): void {
    tunnel.mux.close(reason);
    closeSocket(tunnel.socket, code, reason);
    if (this.#tunnel === tunnel) this.#tunnel = null;
  }

  /**
   * Close every tunnel socket of the session with `code` and `reason` (whatever its token's expiry),
   * failing its streams with the reason: the session has ended (lifecycle.ts).
   */
  closeAll(code: number, reason: string): void {
    this.#tunnel?.mux.close(reason);
    this.#tunnel = null;
    for (const socket of this.#ctx.getWebSockets(TUNNEL_TAG)) closeSocket(socket, code, reason);
    this.#hooks.onChange();
  }

  /** webSocketMessage: frames go to the multiplexer; a protocol error drops the tunnel with 1002. */
  message(socket: WebSocket, message: string | ArrayBuffer): void {
    const tunnel = this.current();
    if (typeof message === 'string') {
      // The runtime answers `ping` itself (auto-response); this covers a ping it passed through.
      if (message === 'ping') socket.send('pong');
      const ack = parseAck(message);
      if (ack !== null && tunnel?.socket === socket) tunnel.unread.acked(ack);
      return;
    }
    // Frames from a replaced socket are not ours to act on.
    if (!tunnel || tunnel.socket !== socket) return;
    try {
      tunnel.mux.receive(new Uint8Array(message));
    } catch (error) {
      if (!(error instanceof ProtocolError)) throw error;
      this.drop(tunnel, CloseCode.PROTOCOL_ERROR, `protocol error: ${error.message}`);
    }
  }

  /** webSocketClose: the tunnel's streams fail, and the close is completed. */
  closed(socket: WebSocket, code: number, reason: string): void {
    if (this.#tunnel?.socket === socket) {
      this.#tunnel.mux.close(`the tunnel closed (${code}${reason ? `: ${reason}` : ''})`);
      this.#tunnel = null;
    }
    this.#hooks.onChange();
    // 1005 (no code) cannot be echoed; 1000 completes the handshake.
    closeSocket(socket, 1000, 'closed');
  }

  /** webSocketError: logged with its reason, then handled as a close (1006). */
  failed(socket: WebSocket, error: unknown): void {
    console.warn('porthole: the tunnel socket failed:', error);
    this.closed(socket, 1006, 'socket error');
  }
}
