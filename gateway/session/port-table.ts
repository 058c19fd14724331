/**
 * The session's port table, kept in Durable Object storage so it survives
 * hibernation and restarts: which ports the client announced, their process,
 * when each was first seen, and who may open it.
 */
import type { PortInfo, PortChanges, Visibility } from '../../protocol';
import { cleanProcessName } from '../../protocol/process-name';
import { DEFAULT_VISIBILITY } from '../access/policy';

export interface StoredPort {
  port: number;
  /** The listening process's name, when the client could read it: cleaned, at most 64 characters (protocol/process-name.ts). */
  process?: string;
  /** ISO 8601: when the port was first announced in this session. */
  firstSeen: string;
  /** What the client asked for (its default or a per-port rule); the owner's explicit choice overrides it. */
  visibility: Visibility;
  /** The client's label for the port, when it gave one. */
  label?: string;
}

const KEY = 'ports';

/** What the table needs of Durable Object storage (declared here so the table runs in unit tests too). */
export interface PortStorage {
  get<T>(key: string): Promise<T | undefined>;
  put<T>(key: string, value: T): Promise<void>;
}

export class PortTable {
  readonly #storage: PortStorage;
  #ports: Promise<Map<number, StoredPort>> | null = null;

  constructor(storage: PortStorage) {
    this.#storage = storage;
  }

  /** One load, shared by concurrent callers. */
  #load(): Promise<Map<number, StoredPort>> {
    this.#ports ??= this.#storage.get<Partial<StoredPort>[]>(KEY).then((stored = []) => {
      // Entries written by an older version may lack the newer fields.
      const now = new Date().toISOString();
      return new Map(
        stored
          .filter((p): p is Partial<StoredPort> & { port: number } => typeof p.port === 'number')
          .map((p) => [p.port, { firstSeen: now, visibility: DEFAULT_VISIBILITY, ...p }]),
      );
    });
    return this.#ports;
  }

  /** The port if the client has it open now; undefined otherwise. */
  async get(port: number): Promise<StoredPort | undefined> {
    return (await this.#load()).get(port);
  }

  /** How many ports the table holds. */
  async size(): Promise<number> {
    return (await this.#load()).size;
  }

  /** The open ports, by port number. */
  async list(): Promise<StoredPort[]> {
    return [...(await this.#load()).values()].sort((a, b) => a.port - b.port);
  }

  /**
   * A (re)connected client's full port set: ports it no longer has are removed, others keep their history.
   * Resolves whether anything changed (nothing is written otherwise); throws TooManyPortsError, writing
   * nothing, when the set holds more than `maxPorts`.
   */
  async reconcile(ports: PortInfo[], maxPorts: number): Promise<boolean> {
    const present = new Set(ports.map((p) => p.port));
    return this.#change(maxPorts, (table) => {
      for (const port of [...table.keys()]) if (!present.has(port)) table.delete(port);
      for (const info of ports) upsert(table, info);
    });
  }

  /**
   * Ports opened and closed since the last message. Closes apply first: a port can close and re-open.
   * Resolves whether anything changed; throws TooManyPortsError, writing nothing, past `maxPorts`.
   */
  async apply(change: PortChanges, maxPorts: number): Promise<boolean> {
    return this.#change(maxPorts, (table) => {
      for (const port of change.closed) table.delete(port);
      for (const info of change.opened) upsert(table, info);
    });
  }

  /** Edit a copy; keep and store it only when it differs and fits. */
  async #change(maxPorts: number, edit: (table: Map<number, StoredPort>) => void): Promise<boolean> {
    const current = await this.#load();
    const next = new Map(current);
    edit(next);
    checkPortCount(next.size, maxPorts);
    if (sameTable(current, next)) return false;
    this.#ports = Promise.resolve(next);
    await this.#save(next);
    return true;
  }

  async #save(table: Map<number, StoredPort>): Promise<void> {
    await this.#storage.put(KEY, [...table.values()]);
  }
}

/** A client's port table over MAX_PORTS: the tunnel is refused for good (CloseCode.TOO_MANY_PORTS). */
export class TooManyPortsError extends Error {
  override readonly name = 'TooManyPortsError';
  readonly code = 'too_many_ports';
}

/** Throws TooManyPortsError when `count` ports exceed `maxPorts`. */
export function checkPortCount(count: number, maxPorts: number): void {
  if (count > maxPorts) {
    throw new TooManyPortsError(`${count} ports announced; a session holds at most ${maxPorts} (MAX_PORTS)`);
  }
}

/** Whether two tables hold the same entries (an entry edited in place counts as the same only if equal). */
export function sameTable(a: Map<number, StoredPort>, b: Map<number, StoredPort>): boolean {
  if (a.size !== b.size) return false;
  for (const [port, entry] of b) {
    const other = a.get(port);
    if (other !== entry && (!other || !sameEntry(other, entry))) return false;
  }
  return true;
}

function sameEntry(a: StoredPort, b: StoredPort): boolean {
  return a.process === b.process && a.visibility === b.visibility && a.firstSeen === b.firstSeen && a.label === b.label;
}

/**
 * Announce a port: a new one is first seen now; a known one keeps its history and takes the new process
 * (cleaned: the client is untrusted), visibility and label.
 */
function upsert(table: Map<number, StoredPort>, info: PortInfo): void {
  const existing = table.get(info.port);
  const entry: StoredPort = existing
    ? { ...existing }
    : { port: info.port, firstSeen: new Date().toISOString(), visibility: DEFAULT_VISIBILITY };
  const process = info.process === undefined ? undefined : cleanProcessName(info.process);
  if (process !== undefined) entry.process = process;
  entry.visibility = info.visibility ?? DEFAULT_VISIBILITY;
  if (info.label !== undefined) entry.label = info.label;
  else delete entry.label;
  table.set(info.port, entry);
}
