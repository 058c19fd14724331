/**
 * The gateway's port table as this client last heard it (each WELCOME carries the whole table),
 * and the events it gives rise to: `ready` and `tunnel.up` after the first snapshot of a
 * connection, then `port.*` for what changed (ports/announced.ts), and a one-time owner login
 * link for each port only the owner may open.
 */
import { debuglog } from 'node:util';
import type { PortSnapshotFrame } from '../protocol';
import type { AgentEvent, PortView } from './events';
import type { OwnerLinks } from './owner-links';
import { closeEvent, diffPortTables } from './ports/announced';
import type { PortSource } from './ports/exposed';

const log = debuglog('porthole');

export interface GatewayTableParts {
  /** The gateway's base URL, for the `ready` event. */
  gateway: string;
  links: OwnerLinks;
  /** What exposes a port now; undefined when this client no longer does (its entry is dropped). */
  source(port: number): PortSource | undefined;
  /** Where events go; may throw (a listener failed): that is reported as an `error` event. */
  emit(event: AgentEvent): void;
}

export class GatewayTable {
  readonly #parts: GatewayTableParts;
  #announced = new Map<number, PortView>();
  #session: string | null = null;
  #up = false;
  #ready = false;
  /** The port snapshots, applied one after the other. */
  #snapshots: Promise<void> = Promise.resolve();

  constructor(parts: GatewayTableParts) {
    this.#parts = parts;
  }

  /** The session id; null until the first snapshot. */
  get session(): string | null {
    return this.#session;
  }

  /** Whether a snapshot came since the tunnel last went down. */
  get up(): boolean {
    return this.#up;
  }

  /** Ports with a URL, ascending. */
  ports(): PortView[] {
    return [...this.#announced.values()].sort((a, b) => a.port - b.port);
  }

  get(port: number): PortView | undefined {
    return this.#announced.get(port);
  }

  /** The tunnel went down: the next snapshot says `tunnel.up` again. */
  down(): void {
    this.#up = false;
  }

  /** This client stopped exposing `port`: `port.close` now, tunnel or not (the next snapshot agrees). */
  vanished(port: number): void {
    const before = this.#announced.get(port);
    this.#announced.delete(port);
    if (before) this.#parts.emit(closeEvent(before));
  }

  /** A WELCOME: applied in order, the first after waiting (a bounded time) for the dashboard link. */
  snapshot(frame: PortSnapshotFrame): void {
    // A snapshot that fails (a listener threw) is reported, and the chain goes on to the next one.
    this.#snapshots = this.#snapshots
      .then(() => this.#parts.links.dashboard())
      .then((link) => this.#apply(frame, link))
      .catch((error: Error) => this.#report(`applying the gateway's port table: ${error.message}`, error));
  }

  /** An `error` event; when a listener throws on that too, only debuglog is left to tell. */
  #report(message: string, cause: Error): void {
    try {
      this.#parts.emit({ event: 'error', message });
    } catch (error) {
      log('%s (%s); reporting it failed too: %s', message, cause.stack, (error as Error).stack);
    }
  }

  #apply(frame: PortSnapshotFrame, dashboard: string | undefined): void {
    const { emit } = this.#parts;
    this.#session = frame.body.session;
    const next = new Map<number, PortView>();
    for (const entry of frame.body.ports) {
      // The table may still list a port this client has just closed: ours is newer.
      const source = this.#parts.source(entry.port);
      if (source) next.set(entry.port, { ...entry, source });
    }
    const before = this.#announced;
    this.#announced = next;
    if (!this.#ready) {
      this.#ready = true;
      const ports = this.ports();
      emit({
        event: 'ready',
        session: this.#session,
        gateway: this.#parts.gateway,
        ports,
        ...(dashboard ? { dashboard } : {}),
      });
    }
    if (!this.#up) {
      this.#up = true;
      emit({ event: 'tunnel.up', session: this.#session });
    }
    for (const event of diffPortTables(before, next)) {
      emit(event);
      if (event.event === 'port.open' && event.visibility !== 'public') this.#offerLogin(event.port);
    }
    // The gateway did not apply a visibility this client asked for (an `org` without an org policy): say so once.
    for (const view of next.values()) {
      if (view.refused && !before.get(view.port)?.refused) {
        emit({ event: 'error', message: `port ${view.port} is ${view.visibility}, not as asked: ${view.refused}` });
      }
    }
  }

  /** A one-time owner link for a port only the owner may open, once per port and run. */
  #offerLogin(port: number): void {
    void this.#parts.links.login(port).then((login) => {
      if (login && this.#announced.has(port)) this.#parts.emit({ event: 'port.login', ...login });
    });
  }
}
