/**
 * The visibility the client last announced for each link or public port, kept while the port is
 * down: a port whose server stopped (or one of an offline session) stays what it was, so its link
 * holders and, on a public port, anyone still get its 503 waiting page and see it come back, while
 * a port the client never announced as link or public counts as private (access/policy.ts). The
 * owner's explicit choice (shares.ts) overrides it as it overrides the live announcement.
 *
 * Only non-private visibilities are kept (private is the default, so forgetting one changes
 * nothing), in Durable Object storage so hibernation does not forget them, at most
 * MAX_REMEMBERED ports: past that the ports not open now are forgotten first, oldest first.
 */
import type { Visibility } from '../../protocol';
import type { PortStorage, StoredPort } from './port-table';

const KEY = 'last-visibility';
/** How many link/public ports are remembered, open ones included. */
export const MAX_REMEMBERED = 1024;

type Remembered = Exclude<Visibility, 'private'>;

export class LastVisibility {
  readonly #storage: PortStorage;
  #map: Promise<Map<number, Remembered>> | null = null;

  constructor(storage: PortStorage) {
    this.#storage = storage;
  }

  #load(): Promise<Map<number, Remembered>> {
    this.#map ??= this.#storage
      .get<[number, Remembered][]>(KEY)
      .then((stored) => new Map(Array.isArray(stored) ? stored : []));
    return this.#map;
  }

  /** The last link or public visibility the client announced for `port`; undefined if none (private). */
  async get(port: number): Promise<Remembered | undefined> {
    return (await this.#load()).get(port);
  }

  /**
   * record() of `table`'s ports now, after a change to the port table: resolves with the ports
   * written (0 when nothing changed), which the client's control rate pays for (port-control.ts).
   * A failure is logged, never thrown (0).
   */
  async remember(table: { list(): Promise<StoredPort[]> }): Promise<number> {
    try {
      return await this.record(await table.list());
    } catch (error) {
      console.error("porthole: remembering the ports' visibility failed:", error);
      return 0;
    }
  }

  /**
   * Take in the open ports' announced visibilities (`open`: the whole port table now). Writes only
   * when something changed; a port announced private is forgotten. Resolves with how many ports
   * the write held (the whole map is one storage value), 0 when nothing was written.
   */
  async record(open: readonly StoredPort[]): Promise<number> {
    const current = await this.#load();
    const next = new Map(current);
    for (const { port, visibility } of open) {
      if (visibility === 'private') next.delete(port);
      else if (next.get(port) !== visibility) {
        next.delete(port); // re-inserted last: the newest
        next.set(port, visibility);
      }
    }
    const openPorts = new Set(open.map((p) => p.port));
    for (const port of [...next.keys()]) {
      if (next.size <= MAX_REMEMBERED) break;
      if (!openPorts.has(port)) next.delete(port);
    }
    if (next.size === current.size && [...next].every(([port, v]) => current.get(port) === v)) return 0;
    this.#map = Promise.resolve(next);
    await this.#storage.put(KEY, [...next]);
    return next.size;
  }
}
