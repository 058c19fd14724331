/**
 * The client, wired: the supervisor keeps the tunnel up, each stream the
 * gateway opens goes to the origin proxy, and the gateway's WELCOME tells
 * which URL serves each exposed port. The one place the parts meet.
 */
import { type ControlFrame, type MuxStream, PROTOCOL_VERSION, ResetCode } from '../protocol';
import type { AgentEvent, EventSink } from './events';
import { OriginProxy } from './origin/http-proxy';
import type { BackoffOptions } from './tunnel/backoff';
import type { Connection } from './tunnel/connection';
import type { TunnelError } from './tunnel/errors';
import { Supervisor } from './tunnel/supervisor';

export const CLIENT_VERSION = 'porthole-client/0.1.0';

export interface AgentOptions {
  gateway: string;
  token: string;
  /** Ports to expose. */
  ports: number[];
  /** Ports whose origin sees the public Host; 'all' for every port. */
  preserveHost?: number[] | 'all';
  onEvent?: EventSink;
  keepaliveMs?: number;
  backoff?: BackoffOptions;
}

export class Agent {
  readonly #options: AgentOptions;
  readonly #ports: Set<number>;
  readonly #urls = new Map<number, string>();
  readonly #origin: OriginProxy;
  readonly #supervisor: Supervisor;
  readonly #waiters = new Map<number, ((url: string) => void)[]>();
  #session: string | null = null;
  #upAnnounced = false;
  #ready = false;

  constructor(options: AgentOptions) {
    this.#options = options;
    this.#ports = new Set(options.ports);
    const preserve = options.preserveHost ?? [];
    this.#origin = new OriginProxy({
      preserveHost: (port) => preserve === 'all' || preserve.includes(port),
    });
    this.#supervisor = new Supervisor({
      gateway: options.gateway,
      token: options.token,
      keepaliveMs: options.keepaliveMs,
      backoff: options.backoff,
      onStream: (stream) => this.#serve(stream),
      onControl: (frame) => this.#control(frame),
      onUp: (connection) => this.#hello(connection),
      onDown: (error, retryInMs) => this.#down(error, retryInMs),
    });
  }

  /** The live tunnel connection, if any (tests use it to cut the socket). */
  get connection(): Connection | null {
    return this.#supervisor.connection;
  }

  /** Public URLs of exposed ports, as the gateway last announced them. */
  urls(): { port: number; url: string }[] {
    return [...this.#urls].map(([port, url]) => ({ port, url })).sort((a, b) => a.port - b.port);
  }

  /** Resolves with a port's URL once the gateway has announced it. */
  url(port: number): Promise<string> {
    const known = this.#urls.get(port);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      this.#waiters.set(port, [...(this.#waiters.get(port) ?? []), resolve]);
    });
  }

  /** Resolves when the agent stops: null after stop(), else the error that ended it. */
  done(): Promise<TunnelError | null> {
    return this.#supervisor.done();
  }

  stop(): void {
    this.#supervisor.stop();
    this.#origin.close();
  }

  #emit(event: AgentEvent): void {
    this.#options.onEvent?.(event);
  }

  #hello(connection: Connection): void {
    this.#upAnnounced = false;
    connection.mux.control({
      type: 'HELLO',
      stream: 0,
      body: { version: PROTOCOL_VERSION, client: CLIENT_VERSION, ports: [...this.#ports].map((port) => ({ port })) },
    });
  }

  #down(error: TunnelError, retryInMs: number | null): void {
    this.#emit({ event: 'tunnel.down', reason: error.message, retryInMs });
  }

  #serve(stream: MuxStream): void {
    const port = stream.request?.port ?? 0;
    if (stream.request?.upgrade) {
      stream.reset(ResetCode.PROTOCOL_ERROR, 'WebSocket streams are not supported by this client version');
      return;
    }
    // The gateway may only reach ports this client exposes, never other local services.
    if (!this.#ports.has(port)) {
      stream.reset(ResetCode.NOT_EXPOSED, `port ${port} is not exposed`);
      return;
    }
    this.#origin.handle(stream);
  }

  #control(frame: ControlFrame): void {
    if (frame.type !== 'WELCOME') return;
    this.#session = frame.body.session;
    const opened: number[] = [];
    for (const [key, url] of Object.entries(frame.body.urls)) {
      const port = Number(key);
      if (!this.#ports.has(port) || this.#urls.get(port) === url) continue;
      this.#urls.set(port, url);
      opened.push(port);
    }
    if (!this.#ready) {
      this.#ready = true;
      this.#emit({ event: 'ready', session: this.#session, gateway: this.#options.gateway, ports: this.urls() });
    }
    if (!this.#upAnnounced) {
      this.#upAnnounced = true;
      this.#emit({ event: 'tunnel.up', session: this.#session });
    }
    for (const port of opened) {
      const url = this.#urls.get(port) as string;
      this.#emit({ event: 'port.open', port, url });
      for (const resolve of this.#waiters.get(port) ?? []) resolve(url);
      this.#waiters.delete(port);
    }
  }
}
