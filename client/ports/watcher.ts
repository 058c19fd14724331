/**
 * Watches this machine's listening TCP ports: reads /proc/net/tcp{,6}, keeps
 * the ports bound to loopback or a wildcard address that the filter allows,
 * names their process, and reports what opened and closed since the last scan.
 *
 * Reading /proc/net/tcp costs the kernel a walk of the whole TCP hash table
 * (~1 ms per file on a 24 GiB machine, whatever the socket count), so the
 * watcher does not scan on every tick: it reads the socket counters in
 * /proc/net/sockstat{,6} (~10 µs) each tick and scans when they change, at most
 * every `minScanMs`, plus once every `fullScanMs` to catch a close and re-bind
 * that left the counters equal.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { debuglog } from 'node:util';
import type { PortFilter } from './filters';
import { findOwners, type SocketOwner } from './owners';
import { isLocalOrWildcard, type ListeningSocket, readListening } from './proc-net';

const log = debuglog('porthole');

export interface WatchedPort {
  port: number;
  /** Owning process name, when it could be read. */
  process?: string;
  pid?: number;
}

export interface WatcherOptions {
  filter: PortFilter;
  /** Milliseconds between counter checks (default 100). */
  intervalMs?: number;
  /** Least time between two scans of /proc/net/tcp (default 150). */
  minScanMs?: number;
  /** Scan at least this often even when the counters did not move (default 5000). */
  fullScanMs?: number;
  /** Sockets of these processes are never announced (the client itself). */
  excludePids?: Set<number>;
  /** These ports are never announced (the local gateway's own port). */
  excludePorts?: number[];
  /** Ports reported whatever the filter says (exposed at runtime, so their process is named); default none. */
  include?(port: number): boolean;
  /** Ports that opened (or were re-bound by another socket) and ports that closed since the last report. */
  onChange(opened: WatchedPort[], closed: number[]): void;
  /**
   * A scan failed (e.g. /proc/net/tcp unreadable): called once per distinct
   * message until a scan succeeds again; the watcher keeps trying. Default: ignored.
   */
  onError?(error: Error): void;
  /** Where procfs lives (default /proc; tests point this at fixtures). */
  procRoot?: string;
}

export class PortWatcher {
  readonly #options: WatcherOptions;
  /** port → the set of inodes listening on it, as a sorted key, and what we announced. */
  #current = new Map<number, { key: string; info: WatchedPort }>();
  #owners = new Map<number, SocketOwner | null>();
  #timer: NodeJS.Timeout | null = null;
  #stopped = false;
  /** The last failure reported, so a failing tick does not repeat it every 100 ms. */
  #failure: string | null = null;
  #counters = '';
  #sockstat: SocketCounters;
  #lastScan = 0;
  #dirty = false;
  /** The listening ports left out at the last scan, with their process name where known. */
  #leftOut = new Map<number, string | undefined>();

  constructor(options: WatcherOptions) {
    this.#options = options;
    this.#sockstat = new SocketCounters(options.procRoot ?? '/proc');
  }

  /**
   * Take the first snapshot (announcing ports bound before start), then keep
   * scanning. Never rejects: a failed first scan goes to `onError`.
   */
  async start(): Promise<void> {
    await this.#scanReporting();
    this.#schedule();
  }

  /** The process name of a port that listened at the last scan but was left out (filter, excluded); null if none did. */
  leftOut(port: number): { process?: string } | null {
    if (!this.#leftOut.has(port)) return null;
    const process = this.#leftOut.get(port);
    return process ? { process } : {};
  }

  /** Scan at the next tick (minScanMs allowing), counters moved or not: what `include` takes has changed. */
  refresh(): void {
    this.#dirty = true;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#sockstat.close();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      void this.#tick()
        .catch((error: unknown) => this.#report(error))
        .finally(() => this.#schedule());
    }, this.#options.intervalMs ?? 100);
    this.#timer.unref();
  }

  async #scanReporting(): Promise<void> {
    try {
      await this.#scan();
      this.#failure = null;
    } catch (error) {
      this.#report(error);
    }
  }

  #report(caught: unknown): void {
    const error = caught instanceof Error ? caught : new Error(String(caught));
    log('port scan failed: %s', error.stack);
    if (error.message === this.#failure) return;
    this.#failure = error.message;
    this.#options.onError?.(error);
  }

  async #tick(): Promise<void> {
    const counters = this.#sockstat.read();
    if (counters !== this.#counters) this.#dirty = true;
    this.#counters = counters;
    const since = Date.now() - this.#lastScan;
    if ((this.#dirty && since >= (this.#options.minScanMs ?? 150)) || since >= (this.#options.fullScanMs ?? 5000)) {
      await this.#scanReporting();
    }
  }

  /** One scan: read, diff, report to `onChange`. Rejects when /proc/net/tcp{,6} cannot be read. */
  async #scan(): Promise<void> {
    this.#dirty = false;
    this.#lastScan = Date.now();
    this.#counters = this.#sockstat.read();
    const sockets = readListening(this.#options.procRoot).filter((s) => isLocalOrWildcard(s.address));
    const byPort = new Map<number, ListeningSocket[]>();
    for (const socket of sockets) byPort.set(socket.port, [...(byPort.get(socket.port) ?? []), socket]);

    const unknown = new Set(sockets.map((s) => s.inode).filter((inode) => !this.#owners.has(inode)));
    if (unknown.size > 0) {
      const owners = findOwners(unknown, this.#options.procRoot);
      for (const inode of unknown) this.#owners.set(inode, owners.get(inode) ?? null);
    }
    const live = new Set(sockets.map((s) => s.inode));
    for (const inode of this.#owners.keys()) if (!live.has(inode)) this.#owners.delete(inode);

    const next = new Map<number, { key: string; info: WatchedPort }>();
    this.#leftOut = new Map();
    for (const [port, list] of byPort) {
      const owner = list.map((s) => this.#owners.get(s.inode)).find((o) => o) ?? undefined;
      if (owner && this.#options.excludePids?.has(owner.pid)) continue;
      const allowed = this.#options.filter.allows(port, owner?.name) || this.#options.include?.(port);
      if (this.#options.excludePorts?.includes(port) || !allowed) {
        this.#leftOut.set(port, owner?.name);
        continue;
      }
      const key = list
        .map((s) => s.inode)
        .sort((a, b) => a - b)
        .join(',');
      next.set(port, { key, info: owner ? { port, process: owner.name, pid: owner.pid } : { port } });
    }

    const opened: WatchedPort[] = [];
    const closed: number[] = [];
    for (const [port, entry] of this.#current) {
      const now = next.get(port);
      // Re-bound by another socket between polls: a close, then an open.
      if (!now || now.key !== entry.key) closed.push(port);
    }
    for (const [port, entry] of next) {
      const before = this.#current.get(port);
      if (!before || before.key !== entry.key) opened.push(entry.info);
    }
    this.#current = next;
    if (opened.length > 0 || closed.length > 0) this.#options.onChange(opened, closed);
  }
}

/**
 * TCP socket counts from /proc/net/sockstat{,6}: they move when sockets are
 * created, bound or closed. The files stay open and are re-read in place.
 */
class SocketCounters {
  readonly #fds: number[] = [];
  readonly #buffer = Buffer.alloc(2048);

  constructor(root: string) {
    for (const file of ['sockstat', 'sockstat6']) {
      try {
        this.#fds.push(openSync(`${root}/net/${file}`, 'r'));
      } catch (error) {
        // Missing or unreadable: the periodic full scan still runs.
        log('no socket counters in %s/net/%s: %s', root, file, (error as Error).message);
      }
    }
  }

  read(): string {
    let text = '';
    for (const fd of this.#fds) {
      const length = readSync(fd, this.#buffer, 0, this.#buffer.length, 0);
      const content = this.#buffer.toString('latin1', 0, length);
      // inuse and alloc only: `mem` and `tw` move with ordinary traffic.
      for (const match of content.matchAll(/^TCP6?: inuse (\d+)(?:.* alloc (\d+))?/gm)) {
        text += `${match[1]}/${match[2] ?? ''};`;
      }
    }
    return text;
  }

  close(): void {
    for (const fd of this.#fds.splice(0)) closeSync(fd);
  }
}
