/**
 * The client, wired: the supervisor keeps the tunnel up, the port watcher
 * finds listening ports, each stream the gateway opens goes to the origin,
 * and the gateway's port snapshot says which URL serves each port. The one place
 * the parts meet; the rules live in ports/exposed.ts (what is exposed),
 * ports/exposure.ts (runtime expose), gateway-table.ts (the gateway's table
 * and the events it gives rise to) and origin/.
 */
import {
  type ExposeFrame,
  type MuxStream,
  REQUEST_LOG_PORT,
  ResetCode,
  type UnexposeFrame,
  type Visibility,
} from '../protocol';
import type { AgentEvent, EventSink, PortStatus, PortView } from './events';
import { Origin } from './origin/origin';
import { OwnerLinks } from './owner-links';
import { PortholeSession } from './sdk/session';
import { GatewayTable } from './gateway-table';
import { whenAnnounced } from './ports/announced';
import { type ExposedChange, ExposedPorts, type PortRule, type PortSource } from './ports/exposed';
import { acceptsConnections, checkExpose, type Exposure, exposureOf, localGatewayPort } from './ports/exposure';
import type { PortFilter } from './ports/filters';
import { PortWatcher } from './ports/watcher';
import { RequestLog, type RequestLogOptions } from './requests/log';
import { RequestLogFile } from './requests/log-file';
import { recordOutcome } from './requests/outcome';
import type { RequestRecord } from './requests/record';
import { type ReplayOptions, Replayer } from './requests/replay';
import { serveLog } from './requests/tunnel-answer';
import type { BackoffOptions } from './tunnel/backoff';
import { dataDialer } from './tunnel/data-connection';
import { Connection } from './tunnel/connection';
import type { TunnelError } from './tunnel/errors';
import { Supervisor } from './tunnel/supervisor';

export interface AgentOptions {
  /** Base URL of the gateway's control domain, e.g. `http://porthole.localhost:8787`. */
  gateway: string;
  /** The session token (a JWT the admin API or `porthole session create` minted). */
  token: string;
  /** Ports (1–65535) exposed whether or not anything listens on them (--port). */
  ports: number[];
  /**
   * The local gateway's own port, which expose() refuses (default: the port of `gateway` when its
   * host is loopback or a `.localhost` name, else none).
   */
  gatewayPort?: number;
  /**
   * Detect listening ports (omit to expose only `ports`): `filter` decides which get a URL,
   * `intervalMs` is the milliseconds between checks (default 100), `excludePorts` are never announced.
   */
  watch?: { filter: PortFilter; intervalMs?: number; excludePorts?: number[] };
  /** Ports whose origin sees the public Host; 'all' for every port, or a test asked per request (default: none). */
  preserveHost?: number[] | 'all' | ((port: number) => boolean);
  /** Who may open a newly announced port (--default-visibility, --visibility rules); undefined: private. */
  visibility?: (port: number) => Visibility | undefined;
  /** Receives every event (default: none; `subscribe` adds more listeners). */
  onEvent?: EventSink;
  /** Milliseconds between tunnel keepalive pings (default 15 000). */
  keepaliveMs?: number;
  /** Reconnect delays (default 250 ms base, 15 s cap). */
  backoff?: BackoffOptions;
  /** The request log's bounds (requests/log.ts; default 1000 requests, 64 KiB per body, 32 MiB in all). */
  requestLog?: RequestLogOptions;
  /**
   * Append each finished request to this file as an NDJSON line (requests/log-file.ts; created 0600).
   * Default: nothing is written to disk. The constructor throws when it cannot be opened.
   */
  requestLogFile?: string;
}

export interface AgentStatus {
  /** Null until the gateway's first port snapshot. */
  session: string | null;
  gateway: string;
  tunnel: 'up' | 'down';
  /** Ascending by port. */
  ports: PortView[];
}

export class Agent {
  readonly #options: AgentOptions;
  readonly #exposed: ExposedPorts;
  readonly #gatewayPort: number | undefined;
  /** The gateway's port table, as its last port snapshot said. */
  readonly #table: GatewayTable;
  readonly #origin: Origin;
  readonly #supervisor: Supervisor<Connection>;
  readonly #watcher: PortWatcher | null;
  readonly #firstScan: Promise<void>;
  readonly #listeners = new Set<EventSink>();
  /** The session through the gateway's HTTP API (the SDK's PortholeSession: share controls, links, login). */
  readonly api: PortholeSession;
  /** Every stream served, as the request log keeps it (README, "Request log"). */
  readonly requests: RequestLog;
  readonly #logFile: RequestLogFile | null;
  readonly #replayer: Replayer;

  constructor(options: AgentOptions) {
    this.#options = options;
    this.api = new PortholeSession({ gateway: options.gateway, sessionToken: options.token });
    this.requests = new RequestLog(options.requestLog);
    // First: a file that cannot be opened stops the start before anything runs.
    this.#logFile =
      options.requestLogFile === undefined
        ? null
        : new RequestLogFile(options.requestLogFile, this.requests, (message) =>
            this.#emit({ event: 'error', message }),
          );
    this.#exposed = new ExposedPorts(options.ports, options.visibility);
    this.#table = new GatewayTable({
      gateway: options.gateway,
      links: new OwnerLinks(this.api),
      source: (port) => this.#exposed.source(port),
      emit: (event) => this.#emit(event),
    });
    this.#gatewayPort = options.gatewayPort ?? localGatewayPort(options.gateway);
    const preserve = options.preserveHost ?? [];
    this.#origin = new Origin({
      preserveHost: typeof preserve === 'function' ? preserve : (port) => preserve === 'all' || preserve.includes(port),
      dialData: dataDialer({ gateway: options.gateway, token: options.token }),
    });
    // A replay goes through the same origin code as a tunnel stream, recorded by the same taps.
    this.#replayer = new Replayer(this.requests, { serve: (stream, entry) => this.#origin.serve(stream, entry) });
    this.#supervisor = new Supervisor({
      dial: () =>
        Connection.open({
          gateway: options.gateway,
          token: options.token,
          keepaliveMs: options.keepaliveMs,
          onStream: (stream) => this.#serve(stream),
          onSnapshot: (frame) => this.#table.snapshot(frame),
          onOwnerRequest: (frame) => this.#ownerRequest(frame),
        }),
      backoff: options.backoff,
      // Called from the supervisor's constructor: look the scan up once this constructor is done.
      beforeConnect: () => Promise.resolve().then(() => this.#firstScan),
      onUp: (connection) => connection.mux.control({ type: 'HELLO', stream: 0, body: { ports: this.#exposed.list() } }),
      onDown: (error, retryInMs) => {
        this.#table.down();
        this.#emit({ event: 'tunnel.down', reason: error.message, retryInMs });
      },
    });
    // Started last: its first scan reports synchronously, into a fully built agent.
    this.#watcher = options.watch
      ? new PortWatcher({
          filter: options.watch.filter,
          intervalMs: options.watch.intervalMs,
          // A gateway on this machine (`porthole connect` beside it) is never announced, as `dev` never announces its own.
          excludePorts: [...(options.watch.excludePorts ?? []), ...(this.#gatewayPort ? [this.#gatewayPort] : [])],
          excludePids: new Set([process.pid]),
          // A port exposed at runtime (an ephemeral one, say) is reported too, so its process is named.
          include: (port) => this.#exposed.has(port),
          onChange: (opened, closed) => this.#send(this.#exposed.change(opened, closed)),
          // Once per distinct failure: a host with a restricted /proc says why nothing is exposed.
          onError: (error) => this.#emit({ event: 'error', message: `port watcher: ${error.message}` }),
        })
      : null;
    // The first scan finishes before the tunnel's HELLO is built, so ports bound before start count.
    // A failed scan was reported through onError; the tunnel comes up regardless.
    this.#firstScan = this.#watcher?.start() ?? Promise.resolve();
  }

  /** The live tunnel connection, if any (tests use it to cut the socket). */
  get connection(): Connection | null {
    return this.#supervisor.tunnel;
  }

  status(): AgentStatus {
    return {
      session: this.#table.session,
      gateway: this.#options.gateway,
      tunnel: this.#table.up ? 'up' : 'down',
      ports: this.ports(),
    };
  }

  /** Ports with a URL, as the gateway last announced them, ascending. */
  ports(): PortView[] {
    return this.#table.ports();
  }

  /** Ports with a URL, as ports() (or only `port`), each with whether something listens on it now. */
  async portStatus(port?: number): Promise<PortStatus[]> {
    const views = this.ports().filter((view) => port === undefined || view.port === port);
    // A connect (under a millisecond on loopback), not the watcher's last scan, which may be 5 s old.
    return Promise.all(views.map(async (view) => ({ ...view, listening: await acceptsConnections(view.port) })));
  }

  /**
   * Expose `port` (any of 1–65535 but the gateway's own, excluded ones too) until unexpose() or
   * the end of the run, whether or not anything listens; `label` (1–64 characters) and
   * `visibility` as given win over the rules'. Throws an ExposeError (`bad_request`,
   * `gateway_port`) for what it cannot expose.
   */
  expose(port: number, options: { label?: string; visibility?: Visibility; source: PortSource }): void {
    const { label, visibility } = checkExpose(port, options, this.#gatewayPort);
    this.#send(this.#exposed.expose(port, { label, visibility, source: options.source }));
    this.#watcher?.refresh();
  }

  /**
   * Stop exposing `port`, whatever exposed it (flag, watcher, settings), until exposed again: a
   * watched port stays out while it listens. With `source: 'settings'`, only withdraw a settings
   * exposure. False when the port was not exposed.
   */
  unexpose(port: number, options: { source?: 'settings' } = {}): boolean {
    const change = this.#exposed.unexpose(port, options);
    if (change) this.#send(change);
    return change !== null;
  }

  /** Rules for ports (the settings): label and visibility of watched ports, `ignore` keeps one out. Replaces the last rules. */
  setPortRules(rules: PortRule | undefined): void {
    this.#send(this.#exposed.setRules(rules));
  }

  /** Whether `port` is exposed, and if not, why (exposure.ts). */
  exposure(port: number): Exposure {
    return exposureOf(port, {
      exposed: this.#exposed,
      watcher: this.#watcher,
      filter: this.#options.watch?.filter,
      excludePorts: this.#options.watch?.excludePorts ?? [],
      gatewayPort: this.#gatewayPort,
    });
  }

  /**
   * The gateway's view of `port` once it has announced it as `matches` wants (e.g. with a new
   * label), or null after `timeoutMs` (the tunnel may be down; default: waits as long as it takes).
   */
  announced(port: number, matches: (view: PortView) => boolean, timeoutMs?: number): Promise<PortView | null> {
    return whenAnnounced(
      { view: () => this.#table.get(port), subscribe: (l) => this.subscribe(l) },
      matches,
      timeoutMs,
    );
  }

  /** Resolves with a port's URL once the gateway has announced it (never rejects; waits as long as it takes). */
  url(port: number): Promise<string> {
    return this.announced(port, () => true).then((view) => (view as PortView).url);
  }

  /**
   * Send logged request `id` to its origin again (or to `options.port`) and resolve with the new
   * request, as the log records it once it ended (requests/replay.ts: the refusals it throws).
   */
  replay(id: number, options: ReplayOptions = {}): Promise<RequestRecord> {
    return this.#replayer.replay(id, options);
  }

  /** Receive every event (the control API streams them). Returns the unsubscribe. */
  subscribe(listener: EventSink): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Report an event as the agent's own, to `onEvent` and every listener (the repository settings report through it). */
  publish(event: AgentEvent): void {
    this.#emit(event);
  }

  /** Resolves when the agent stops: null after stop(), else the error that ended it. */
  done(): Promise<TunnelError | null> {
    return this.#supervisor.done();
  }

  stop(): void {
    this.#watcher?.stop();
    this.#supervisor.stop();
    this.#origin.close();
    void this.#logFile?.close();
  }

  #emit(event: AgentEvent): void {
    this.#options.onEvent?.(event);
    for (const listener of [...this.#listeners]) listener(event);
  }

  /** Tell the gateway a change of the exposed set (PORTS); a port no longer exposed is closed here at once. */
  #send(change: ExposedChange): void {
    if (change.opened.length === 0 && change.closed.length === 0) return;
    // A port that stops listening says so at once, tunnel or not; a re-bound one is announced by the next snapshot.
    for (const port of change.vanished) this.#table.vanished(port);
    this.connection?.mux.control({
      type: 'PORTS',
      stream: 0,
      body: { opened: change.opened, closed: change.closed },
    });
  }

  /** The owner's EXPOSE or UNEXPOSE (owner API, dashboard): applied as `porthole expose` / `unexpose` would be. */
  #ownerRequest(frame: ExposeFrame | UnexposeFrame): void {
    if (frame.type === 'UNEXPOSE') {
      this.unexpose(frame.body.port);
      return;
    }
    try {
      this.expose(frame.body.port, { ...frame.body, source: 'expose' });
    } catch (error) {
      this.#emit({
        event: 'error',
        message: `the owner asked to expose port ${frame.body.port}: ${(error as Error).message}`,
      });
    }
  }

  #serve(stream: MuxStream): void {
    const port = stream.request?.port ?? 0;
    // The owner's dashboard reading this log through the gateway (protocol v7), not an origin.
    if (port === REQUEST_LOG_PORT) {
      serveLog(this.requests, stream);
      return;
    }
    // The gateway may only reach ports this client exposes, never other local services.
    if (!this.#exposed.has(port)) {
      // Recorded too: the viewer got 503 port_not_listening.
      const entry = this.requests.begin(stream.request!);
      if (entry) recordOutcome(stream, entry);
      stream.reset(ResetCode.NOT_EXPOSED, `port ${port} is not listening`);
      return;
    }
    this.#origin.serve(stream, this.requests.begin(stream.request!));
  }
}
