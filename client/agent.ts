/**
 * The client, wired: the supervisor keeps the tunnel up, the port watcher
 * finds listening ports, each stream the gateway opens goes to the origin
 * proxy, and the gateway's WELCOME says which URL serves each port. The one
 * place the parts meet.
 */
import { type ControlFrame, type MuxStream, type PortInfo, ResetCode, type Visibility } from '../protocol';
import type { AgentEvent, EventSink, PortView } from './events';
import { OriginProxy } from './origin/http-proxy';
import { proxyWebSocket } from './origin/ws-proxy';
import { OwnerApi } from './owner-api';
import type { PortFilter } from './ports/filters';
import { PortWatcher, type WatchedPort } from './ports/watcher';
import type { BackoffOptions } from './tunnel/backoff';
import type { Connection } from './tunnel/connection';
import type { TunnelError } from './tunnel/errors';
import { Supervisor } from './tunnel/supervisor';

/** How long `ready` may wait for the gateway's one-time dashboard link. */
const DASHBOARD_WAIT_MS = 3000;

export interface AgentOptions {
  gateway: string;
  token: string;
  /** Ports exposed whether or not anything listens on them (--port). */
  ports: number[];
  /** Detect listening ports (omit to expose only `ports`). */
  watch?: { filter: PortFilter; intervalMs?: number; excludePorts?: number[] };
  /** Ports whose origin sees the public Host; 'all' for every port. */
  preserveHost?: number[] | 'all';
  /** Who may open a newly announced port (--default-visibility, --visibility rules); omitted: private. */
  visibility?: (port: number) => Visibility | undefined;
  onEvent?: EventSink;
  keepaliveMs?: number;
  backoff?: BackoffOptions;
}

export interface AgentStatus {
  session: string | null;
  gateway: string;
  tunnel: 'up' | 'down';
  ports: PortView[];
}

export class Agent {
  readonly #options: AgentOptions;
  readonly #static: Set<number>;
  readonly #watched = new Map<number, WatchedPort>();
  /** The gateway's port table, as its last WELCOME said. */
  #announced = new Map<number, PortView>();
  readonly #origin: OriginProxy;
  readonly #supervisor: Supervisor;
  readonly #watcher: PortWatcher | null;
  readonly #firstScan: Promise<void>;
  readonly #listeners = new Set<EventSink>();
  #session: string | null = null;
  #up = false;
  #ready = false;
  readonly #loginOffered = new Set<number>();
  #welcomes: Promise<void> = Promise.resolve();
  #dashboardOnce: Promise<void> | null = null;
  #dashboard: string | undefined;
  /** The gateway's owner API for this session (share controls, links, login). */
  readonly api: OwnerApi;

  constructor(options: AgentOptions) {
    this.#options = options;
    this.api = new OwnerApi(options.gateway, options.token);
    this.#static = new Set(options.ports);
    this.#origin = new OriginProxy({ preserveHost: (port) => this.#preserveHost(port) });
    this.#supervisor = new Supervisor({
      gateway: options.gateway,
      token: options.token,
      keepaliveMs: options.keepaliveMs,
      backoff: options.backoff,
      // Called from the supervisor's constructor: look the scan up once this constructor is done.
      beforeConnect: () => Promise.resolve().then(() => this.#firstScan),
      onStream: (stream) => this.#serve(stream),
      onControl: (frame) => this.#control(frame),
      onUp: (connection) => this.#hello(connection),
      onDown: (error, retryInMs) => this.#down(error, retryInMs),
    });
    // Started last: its first scan reports synchronously, into a fully built agent.
    this.#watcher = options.watch
      ? new PortWatcher({
          filter: options.watch.filter,
          intervalMs: options.watch.intervalMs,
          excludePorts: options.watch.excludePorts,
          excludePids: new Set([process.pid]),
          onChange: (opened, closed) => this.#portsChanged(opened, closed),
        })
      : null;
    // The first scan finishes before the tunnel's HELLO is built, so ports bound before start count.
    this.#firstScan = this.#watcher?.start().catch(() => {}) ?? Promise.resolve();
  }

  #preserveHost(port: number): boolean {
    const preserve = this.#options.preserveHost ?? [];
    return preserve === 'all' || preserve.includes(port);
  }

  /** The live tunnel connection, if any (tests use it to cut the socket). */
  get connection(): Connection | null {
    return this.#supervisor.connection;
  }

  status(): AgentStatus {
    return {
      session: this.#session,
      gateway: this.#options.gateway,
      tunnel: this.#up ? 'up' : 'down',
      ports: this.ports(),
    };
  }

  /** Ports with a URL, as the gateway last announced them. */
  ports(): PortView[] {
    return [...this.#announced.values()].sort((a, b) => a.port - b.port);
  }

  /** Resolves with a port's URL once the gateway has announced it. */
  url(port: number): Promise<string> {
    const known = this.#announced.get(port);
    if (known) return Promise.resolve(known.url);
    return new Promise((resolve) => {
      const listener: EventSink = (event) => {
        if (event.event === 'port.open' && event.port === port) {
          this.#listeners.delete(listener);
          resolve(event.url);
        }
      };
      this.#listeners.add(listener);
    });
  }

  /** Receive every event (the control API streams them). Returns the unsubscribe. */
  subscribe(listener: EventSink): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves when the agent stops: null after stop(), else the error that ended it. */
  done(): Promise<TunnelError | null> {
    return this.#supervisor.done();
  }

  stop(): void {
    this.#watcher?.stop();
    this.#supervisor.stop();
    this.#origin.close();
  }

  #emit(event: AgentEvent): void {
    this.#options.onEvent?.(event);
    for (const listener of [...this.#listeners]) listener(event);
  }

  /** What the client exposes: --port ports plus detected ones, with process names where known. */
  #exposed(): PortInfo[] {
    const ports = new Map<number, PortInfo>();
    for (const port of this.#static) ports.set(port, { port });
    for (const watched of this.#watched.values()) {
      ports.set(
        watched.port,
        watched.process ? { port: watched.port, process: watched.process } : { port: watched.port },
      );
    }
    for (const info of ports.values()) {
      const visibility = this.#options.visibility?.(info.port);
      if (visibility) info.visibility = visibility;
    }
    return [...ports.values()].sort((a, b) => a.port - b.port);
  }

  #isExposed(port: number): boolean {
    return this.#static.has(port) || this.#watched.has(port);
  }

  #portsChanged(opened: WatchedPort[], closed: number[]): void {
    const gone: number[] = [];
    for (const port of closed) {
      this.#watched.delete(port);
      if (!this.#static.has(port)) gone.push(port);
    }
    for (const watched of opened) this.#watched.set(watched.port, watched);
    // A port that stops listening says so at once, tunnel or not.
    for (const port of gone) {
      if (opened.some((o) => o.port === port)) continue; // Re-bound: WELCOME will announce the new process.
      const before = this.#announced.get(port);
      this.#announced.delete(port);
      if (before) this.#emit({ event: 'port.close', port, ...(before.process ? { process: before.process } : {}) });
    }
    const infos = this.#exposed().filter((info) => opened.some((o) => o.port === info.port));
    this.connection?.mux.control({ type: 'PORTS', stream: 0, body: { opened: infos, closed: gone } });
  }

  #hello(connection: Connection): void {
    connection.mux.control({ type: 'HELLO', stream: 0, body: { ports: this.#exposed() } });
  }

  #down(error: TunnelError, retryInMs: number | null): void {
    this.#up = false;
    this.#emit({ event: 'tunnel.down', reason: error.message, retryInMs });
  }

  #serve(stream: MuxStream): void {
    const port = stream.request?.port ?? 0;
    // The gateway may only reach ports this client exposes, never other local services.
    if (!this.#isExposed(port)) {
      stream.reset(ResetCode.NOT_EXPOSED, `port ${port} is not listening`);
      return;
    }
    if (stream.request?.upgrade) proxyWebSocket(stream, this.#preserveHost(port));
    else this.#origin.handle(stream);
  }

  /** Once per port and run: a one-time owner link for a port only the owner may open. */
  #offerLogin(port: number): void {
    if (this.#loginOffered.has(port)) return;
    this.#loginOffered.add(port);
    this.api.login(port).then(
      (login) => {
        if (this.#announced.has(port)) this.#emit({ event: 'port.login', ...login });
      },
      () => this.#loginOffered.delete(port), // Offered again when the port is next announced.
    );
  }

  #control(frame: ControlFrame): void {
    if (frame.type !== 'WELCOME') return;
    // In order, each after the first waits only a turn: the first waits for the dashboard link.
    this.#welcomes = this.#welcomes.then(() => this.#dashboardLink()).then(() => this.#welcome(frame));
  }

  /** Once, before `ready`: a one-time dashboard link for the owner (left out if the gateway will not say). */
  #dashboardLink(): Promise<void> {
    if (this.#dashboardOnce) return this.#dashboardOnce;
    // Never more than a few seconds: `ready` (and every port) waits for this.
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, DASHBOARD_WAIT_MS);
    });
    const fetched = this.api.dashboard().then((link) => {
      this.#dashboard = link.url;
    });
    this.#dashboardOnce = Promise.race([fetched, giveUp])
      .catch(() => {})
      .finally(() => clearTimeout(timer));
    return this.#dashboardOnce;
  }

  #welcome(frame: Extract<ControlFrame, { type: 'WELCOME' }>): void {
    this.#session = frame.body.session;
    const next = new Map<number, PortView>();
    for (const entry of frame.body.ports) {
      // The table may still list a port this client has just closed: ours is newer.
      if (this.#isExposed(entry.port)) next.set(entry.port, entry);
    }
    const before = this.#announced;
    this.#announced = next;
    if (!this.#ready) {
      this.#ready = true;
      this.#emit({
        event: 'ready',
        session: this.#session,
        gateway: this.#options.gateway,
        ports: this.ports(),
        ...(this.#dashboard ? { dashboard: this.#dashboard } : {}),
      });
    }
    if (!this.#up) {
      this.#up = true;
      this.#emit({ event: 'tunnel.up', session: this.#session });
    }
    for (const [port, entry] of before) {
      if (!next.has(port))
        this.#emit({ event: 'port.close', port, ...(entry.process ? { process: entry.process } : {}) });
    }
    for (const [port, entry] of next) {
      const old = before.get(port);
      if (old && old.url === entry.url && old.process === entry.process) {
        if (old.visibility !== entry.visibility) this.#emit({ event: 'port.share', ...entry });
        continue;
      }
      this.#emit({ event: 'port.open', ...entry });
      if (entry.visibility !== 'public') this.#offerLogin(port);
    }
  }
}
