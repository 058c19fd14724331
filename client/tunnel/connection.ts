/**
 * One tunnel connection: a WebSocket to the gateway's /connect carrying the
 * multiplexer's frames, with a text keepalive that detects a dead peer.
 */
import WebSocket from 'ws';
import { lookup } from '../net/lookup';
import {
  CloseCode,
  closeReason,
  type ExposeFrame,
  type PortSnapshotFrame,
  type UnexposeFrame,
  ackMessage,
  Mux,
  type MuxStream,
  parseProbe,
  ProtocolError,
  SUBPROTOCOL,
} from '../../protocol';
import { type Clock, systemClock } from './clock';
import {
  TunnelAuthError,
  TunnelDroppedError,
  type TunnelError,
  TunnelReplacedError,
  TunnelSessionEndedError,
  TunnelTooManyPortsError,
  TunnelVersionError,
} from './errors';
import { Keepalive } from './keepalive';
import type { Tunnel } from './supervisor';

export interface ConnectionOptions {
  /** Base URL of the gateway's control domain, e.g. http://porthole.localhost:8787 */
  gateway: string;
  /** The session token, sent as `Authorization: Bearer`. */
  token: string;
  /** A stream the gateway opened (one viewer request). */
  onStream(stream: MuxStream): void;
  /** The gateway's port table, after HELLO and every change. */
  onSnapshot(frame: PortSnapshotFrame): void;
  /** The owner asked (owner API) to expose or unexpose a port (v6); default: ignored. */
  onOwnerRequest?(frame: ExposeFrame | UnexposeFrame): void;
  /** Milliseconds between keepalive pings (default 15 000); 2.5 intervals of silence end the tunnel. */
  keepaliveMs?: number;
  /** Milliseconds a connection attempt may take before it fails (default 10 000). */
  connectTimeoutMs?: number;
  /** Time source for the keepalive (default the system clock). */
  clock?: Clock;
}

export class Connection implements Tunnel {
  readonly mux: Mux;
  readonly #socket: WebSocket;
  readonly #closed: Promise<TunnelError>;
  readonly #keepalive: Keepalive;

  private constructor(socket: WebSocket, options: ConnectionOptions) {
    this.#socket = socket;
    this.mux = new Mux({
      role: 'client',
      // ws masks every client frame into a buffer of its own before send() returns
      // (no compression, no Blobs here), so one scratch buffer serves all DATA frames.
      transientSend: true,
      send: (bytes) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(bytes);
      },
      onOpen: options.onStream,
      // A client's Mux passes on PORT_SNAPSHOT, EXPOSE and UNEXPOSE only: any other is a ProtocolError (mux.ts).
      onControl: (frame) => {
        if (frame.type === 'PORT_SNAPSHOT') options.onSnapshot(frame);
        else if (frame.type === 'EXPOSE' || frame.type === 'UNEXPOSE') options.onOwnerRequest?.(frame);
      },
    });
    this.#closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        this.#keepalive.stop();
        const text = reason.toString() || `code ${code}`;
        this.mux.close(`the tunnel closed (${text})`);
        resolve(closeError(code, text));
      });
    });
    socket.on('message', (data, isBinary) => {
      this.#keepalive.seen();
      if (!isBinary) {
        // 'pong', or the gateway's read probe: answered at once, it proves everything before it was read.
        const probe = parseProbe((data as Buffer).toString());
        if (probe !== null && socket.readyState === WebSocket.OPEN) socket.send(ackMessage(probe));
        return;
      }
      try {
        this.mux.receive(data as Buffer);
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        socket.close(CloseCode.PROTOCOL_ERROR, closeReason(`protocol error: ${error.message}`));
      }
    });
    this.#keepalive = new Keepalive({
      intervalMs: options.keepaliveMs,
      clock: options.clock ?? systemClock,
      ping: () => {
        if (socket.readyState === WebSocket.OPEN) socket.send('ping');
      },
      dead: () => socket.terminate(), // 'close' follows with 1006: a dropped tunnel, retried.
    });
  }

  /**
   * Open a tunnel to `<gateway>/connect`. Rejects with a TunnelError whose
   * class says whether retrying can help: TunnelSessionEndedError (410), TunnelAuthError (401/403),
   * TunnelVersionError (400), TunnelDroppedError (anything else, or no answer
   * within `connectTimeoutMs`).
   */
  static open(options: ConnectionOptions): Promise<Connection> {
    const url = new URL('/connect', options.gateway);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url, [SUBPROTOCOL], {
      headers: { authorization: `Bearer ${options.token}` },
      lookup,
      handshakeTimeout: options.connectTimeoutMs ?? 10_000,
      perMessageDeflate: false,
      maxPayload: 1024 * 1024,
    });
    socket.binaryType = 'nodebuffer';
    return new Promise((resolve, reject) => {
      socket.once('unexpected-response', (_request, response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (body.length < 4096) body += chunk;
        });
        response.on('end', () => {
          const message = describe(response.statusCode ?? 0, body);
          socket.terminate();
          if (response.statusCode === 410)
            reject(new TunnelSessionEndedError('the session has ended (the gateway answered 410 session_ended)', true));
          else if (response.statusCode === 401 || response.statusCode === 403) reject(new TunnelAuthError(message));
          else if (response.statusCode === 400) reject(new TunnelVersionError(message));
          else reject(new TunnelDroppedError(message));
        });
      });
      socket.once('error', (error) => reject(new TunnelDroppedError(`cannot reach the gateway: ${error.message}`)));
      socket.once('open', () => {
        socket.removeAllListeners('error');
        socket.on('error', () => {}); // 'close' follows and carries the reason.
        resolve(new Connection(socket, options));
      });
    });
  }

  /** Resolves when the tunnel ends, with why. */
  closed(): Promise<TunnelError> {
    return this.#closed;
  }

  close(reason = 'client shutting down'): void {
    this.#socket.close(1000, reason);
  }

  /** Cut the socket at once, without a closing handshake (tests, faults). */
  terminate(): void {
    this.#socket.terminate();
  }
}

function describe(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: string };
    if (parsed.message) return `gateway answered ${status}: ${parsed.message}`;
  } catch {
    // Not JSON.
  }
  return `gateway answered ${status}${body ? `: ${body.slice(0, 200)}` : ''}`;
}

/** The error a tunnel close means, by its code: final refusals stop the client, anything else is retried. */
export function closeError(code: number, text: string): TunnelError {
  if (code === CloseCode.REPLACED) return new TunnelReplacedError(`another client took over this session: ${text}`);
  if (code === CloseCode.SESSION_EXPIRED) return new TunnelSessionEndedError(`the session has expired: ${text}`);
  if (code === CloseCode.SESSION_ENDED) return new TunnelSessionEndedError(`the session has ended (${text})`);
  if (code === CloseCode.TOO_MANY_PORTS) {
    return new TunnelTooManyPortsError(`the gateway refused this port table: ${text}`);
  }
  return new TunnelDroppedError(`the tunnel closed: ${text}`);
}
