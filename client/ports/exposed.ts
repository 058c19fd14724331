/**
 * The set of ports this client exposes, and where each comes from: `--port`
 * flags (exposed whether or not anything listens), ports exposed at runtime
 * (`porthole expose`, the owner from the dashboard, repository settings), and
 * the ports the watcher found. The user's `unexpose` wins over all of them for
 * the rest of the run (until the port is exposed again). Port rules (the
 * settings) give a watched port its label and visibility, or keep it out.
 * Pure: every change returns what the gateway must hear (a PORTS frame's body).
 */
import type { PortInfo, Visibility } from '../../protocol';
import type { WatchedPort } from './watcher';

/** Who may open a port when it first appears (--default-visibility, --visibility); undefined: the gateway's default (private). */
export type VisibilityRule = (port: number) => Visibility | undefined;

/** What exposed a port: the watcher, `porthole expose` (or the owner's EXPOSE), a --port flag, the repository's settings. */
export type PortSource = 'watched' | 'expose' | 'flag' | 'settings';

/** What a port rule says of a port: its label and visibility; `ignore` keeps a watched port unexposed. */
export interface PortAttributes {
  label?: string;
  visibility?: Visibility;
  ignore?: boolean;
}

/** A rule over ports (the repository's settings): undefined when it says nothing of the port. */
export type PortRule = (port: number) => PortAttributes | undefined;

/** How a port is exposed at runtime. `label` and `visibility` win over the rules'. */
export interface ExposeOptions {
  label?: string;
  visibility?: Visibility;
  source: PortSource;
}

/** A watcher change as the gateway hears it (the body of a PORTS frame), plus what the client itself reports. */
export interface ExposedChange {
  /** Ports newly exposed, re-bound by another socket, or whose process, label or visibility changed, as announced. */
  opened: PortInfo[];
  /** Ports no longer exposed, including re-bound ones (their new owner is in `opened`). */
  closed: number[];
  /** The closed ports that did not come back in the same change: gone for the viewer. */
  vanished: number[];
}

interface Exposed {
  info: PortInfo;
  source: PortSource;
}

export class ExposedPorts {
  readonly #flags: ReadonlySet<number>;
  /** Ports exposed at runtime (expose(), settings), with what was asked for them. */
  readonly #runtime = new Map<number, ExposeOptions>();
  readonly #watched = new Map<number, WatchedPort>();
  /** Ports the user unexposed: out, whatever else exposes them, until exposed again. */
  readonly #unexposed = new Set<number>();
  readonly #visibility: VisibilityRule | undefined;
  #rules: PortRule | undefined;
  /** What the gateway was last told, by port. */
  #current = new Map<number, Exposed>();

  /** `flagPorts`: 1–65535, exposed for the whole run (--port); `visibility`: the --visibility rules, which win over port rules. */
  constructor(flagPorts: Iterable<number>, visibility?: VisibilityRule) {
    this.#flags = new Set(flagPorts);
    this.#visibility = visibility;
    this.#current = this.#compute();
  }

  /** Whether the gateway may reach this port (any other port is refused, never proxied). */
  has(port: number): boolean {
    return this.#current.has(port);
  }

  /** What exposes the port now; undefined when it is not exposed. */
  source(port: number): PortSource | undefined {
    return this.#current.get(port)?.source;
  }

  /** Why a port is held out although something may expose it: the user unexposed it, or a port rule ignores it. */
  heldOut(port: number): 'unexposed' | 'ignored by a port rule' | undefined {
    if (this.#unexposed.has(port)) return 'unexposed';
    if (!this.#runtime.has(port) && !this.#flags.has(port) && this.#rules?.(port)?.ignore) {
      return 'ignored by a port rule';
    }
    return undefined;
  }

  /** Every exposed port, ascending, as HELLO lists them. */
  list(): PortInfo[] {
    return [...this.#current.values()].map((e) => e.info).sort((a, b) => a.port - b.port);
  }

  /** Apply one watcher report (ports that opened, ports that closed since the last scan). */
  change(opened: WatchedPort[], closed: number[]): ExposedChange {
    for (const port of closed) this.#watched.delete(port);
    for (const watched of opened) this.#watched.set(watched.port, watched);
    const reopened = new Set(opened.map((o) => o.port));
    return this.#update(new Set(closed.filter((port) => reopened.has(port))));
  }

  /** Expose `port` (1–65535) until unexposed; a 'settings' exposure neither lifts a user's unexpose nor replaces an 'expose'. */
  expose(port: number, options: ExposeOptions): ExposedChange {
    if (options.source === 'settings') {
      if (this.#unexposed.has(port) || this.#runtime.get(port)?.source === 'expose') return this.#update();
    } else {
      this.#unexposed.delete(port);
    }
    this.#runtime.set(port, options);
    return this.#update();
  }

  /**
   * Stop exposing `port`, whatever exposes it, for the rest of the run (a watched port stays out
   * while it listens) until exposed again. With `source: 'settings'`, only withdraw a settings
   * exposure (the settings no longer name the port): nothing is held out. Null when `port` was not exposed.
   */
  unexpose(port: number, options: { source?: 'settings' } = {}): ExposedChange | null {
    if (!this.#current.has(port)) return null;
    if (options.source === 'settings') {
      if (this.#runtime.get(port)?.source === 'settings') this.#runtime.delete(port);
    } else {
      this.#runtime.delete(port);
      this.#unexposed.add(port);
    }
    return this.#update();
  }

  /** Replace the port rules (labels, visibility, ignore); the ports they change are re-announced. */
  setRules(rules: PortRule | undefined): ExposedChange {
    this.#rules = rules;
    return this.#update();
  }

  /** Recompute the exposed set and tell what changed; `rebound` ports are closed and opened again even if equal. */
  #update(rebound: ReadonlySet<number> = new Set()): ExposedChange {
    const before = this.#current;
    const after = this.#compute();
    this.#current = after;
    const vanished = [...before.keys()].filter((port) => !after.has(port));
    const rebind = [...rebound].filter((port) => before.has(port) && after.get(port)?.source === 'watched');
    const opened: PortInfo[] = [];
    for (const [port, entry] of after) {
      const old = before.get(port);
      if (!old || rebind.includes(port) || !sameInfo(old.info, entry.info)) opened.push(entry.info);
    }
    return { opened: opened.sort((a, b) => a.port - b.port), closed: [...vanished, ...rebind], vanished };
  }

  #compute(): Map<number, Exposed> {
    const ports = new Set([...this.#flags, ...this.#runtime.keys(), ...this.#watched.keys()]);
    const out = new Map<number, Exposed>();
    for (const port of [...ports].sort((a, b) => a - b)) {
      if (this.#unexposed.has(port)) continue;
      const runtime = this.#runtime.get(port);
      // expose > flag > settings > watched.
      const source: PortSource =
        runtime?.source === 'expose' ? 'expose' : this.#flags.has(port) ? 'flag' : (runtime?.source ?? 'watched');
      const rule = this.#rules?.(port);
      if (source === 'watched' && rule?.ignore) continue;
      const info: PortInfo = { port };
      const process = this.#watched.get(port)?.process;
      if (process) info.process = process;
      const visibility = runtime?.visibility ?? this.#visibility?.(port) ?? rule?.visibility;
      if (visibility) info.visibility = visibility;
      const label = runtime?.label ?? rule?.label;
      if (label) info.label = label;
      out.set(port, { info, source });
    }
    return out;
  }
}

/** Whether `b` needs no new announcement after `a` (a process name the watcher lost is not news: the gateway keeps the last). */
function sameInfo(a: PortInfo, b: PortInfo): boolean {
  return (b.process === undefined || a.process === b.process) && a.visibility === b.visibility && a.label === b.label;
}
