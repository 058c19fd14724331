/**
 * The set of ports this client exposes: the static ones (--port, exposed
 * whether or not anything listens) plus the ones the watcher found, each with
 * its process name where known and the visibility the rules give it when it
 * first appears. Pure: the agent feeds it watcher changes and sends what it
 * returns to the gateway.
 */
import type { PortInfo, Visibility } from '../../protocol';
import type { WatchedPort } from './watcher';

/** Who may open a port when it first appears (--default-visibility, --visibility); undefined: the gateway's default (private). */
export type VisibilityRule = (port: number) => Visibility | undefined;

/** A watcher change as the gateway hears it (the body of a PORTS frame), plus what the client itself reports. */
export interface ExposedChange {
  /** Ports newly exposed, or re-bound by another socket, as announced. */
  opened: PortInfo[];
  /** Ports no longer exposed, including re-bound ones (their new owner is in `opened`). */
  closed: number[];
  /** The closed ports that did not come back in the same change: gone for the viewer. */
  vanished: number[];
}

export class ExposedPorts {
  readonly #static: ReadonlySet<number>;
  readonly #watched = new Map<number, WatchedPort>();
  readonly #visibility: VisibilityRule | undefined;

  /** `staticPorts`: 1–65535, exposed for the whole run. */
  constructor(staticPorts: Iterable<number>, visibility?: VisibilityRule) {
    this.#static = new Set(staticPorts);
    this.#visibility = visibility;
  }

  /** Whether the gateway may reach this port (any other port is refused, never proxied). */
  has(port: number): boolean {
    return this.#static.has(port) || this.#watched.has(port);
  }

  /** Every exposed port, ascending, as HELLO lists them. */
  list(): PortInfo[] {
    const ports = new Map<number, PortInfo>();
    for (const port of this.#static) ports.set(port, { port });
    for (const watched of this.#watched.values()) ports.set(watched.port, this.#info(watched));
    for (const info of ports.values()) {
      const visibility = this.#visibility?.(info.port);
      if (visibility) info.visibility = visibility;
    }
    return [...ports.values()].sort((a, b) => a.port - b.port);
  }

  /** Apply one watcher report (ports that opened, ports that closed since the last scan). */
  change(opened: WatchedPort[], closed: number[]): ExposedChange {
    const gone: number[] = [];
    for (const port of closed) {
      this.#watched.delete(port);
      if (!this.#static.has(port)) gone.push(port);
    }
    for (const watched of opened) this.#watched.set(watched.port, watched);
    const reopened = new Set(opened.map((o) => o.port));
    return {
      opened: this.list().filter((info) => reopened.has(info.port)),
      closed: gone,
      vanished: gone.filter((port) => !reopened.has(port)),
    };
  }

  #info(watched: WatchedPort): PortInfo {
    return watched.process ? { port: watched.port, process: watched.process } : { port: watched.port };
  }
}
