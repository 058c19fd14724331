/**
 * The session's port table, kept in Durable Object storage so it survives
 * hibernation and restarts: which ports the client announced, their process,
 * when each was first seen, and who may open it.
 */
import type { PortInfo, PortChanges, Visibility } from '../../protocol';
import { DEFAULT_VISIBILITY } from '../access/policy';

export interface StoredPort {
  port: number;
  /** The listening process's name, when the client could read it. */
  process?: string;
  /** ISO 8601: when the port was first announced in this session. */
  firstSeen: string;
  /** What the client asked for (its default or a per-port rule); the owner's explicit choice overrides it. */
  visibility: Visibility;
}

const KEY = 'ports';

export class PortTable {
  readonly #storage: DurableObjectStorage;
  #ports: Promise<Map<number, StoredPort>> | null = null;

  constructor(storage: DurableObjectStorage) {
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

  /** The open ports, by port number. */
  async list(): Promise<StoredPort[]> {
    return [...(await this.#load()).values()].sort((a, b) => a.port - b.port);
  }

  /** A (re)connected client's full port set: ports it no longer has are removed, others keep their history. */
  async reconcile(ports: PortInfo[]): Promise<void> {
    const table = await this.#load();
    const present = new Set(ports.map((p) => p.port));
    for (const port of table.keys()) if (!present.has(port)) table.delete(port);
    for (const info of ports) this.#upsert(table, info);
    await this.#save(table);
  }

  /** Ports opened and closed since the last message. Closes apply first: a port can close and re-open. */
  async apply(change: PortChanges): Promise<void> {
    const table = await this.#load();
    for (const port of change.closed) table.delete(port);
    for (const info of change.opened) this.#upsert(table, info);
    await this.#save(table);
  }

  #upsert(table: Map<number, StoredPort>, info: PortInfo): void {
    const existing = table.get(info.port);
    const entry: StoredPort = existing
      ? { ...existing }
      : { port: info.port, firstSeen: new Date().toISOString(), visibility: DEFAULT_VISIBILITY };
    if (info.process !== undefined) entry.process = info.process;
    entry.visibility = info.visibility ?? DEFAULT_VISIBILITY;
    table.set(info.port, entry);
  }

  async #save(table: Map<number, StoredPort>): Promise<void> {
    await this.#storage.put(KEY, [...table.values()]);
  }
}
