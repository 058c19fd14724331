/**
 * A session's life (docs/lifecycle.md): `active`, `asleep` while its operator has the VM suspended,
 * and ended — by the operator (`DELETE /api/sessions/<id>`) or at its expiry (the object's alarm).
 * An ended session keeps nothing: no tombstone. A Session object without the identity record
 * written at creation (identity-store.ts) is ended, or was never created; either way every entry
 * point answers 410 `session_ended` and only reads storage.
 *
 * The end, asleep and awake happen here and only here, each with its hook (`LifecycleHooks`), so
 * the Session object tells the tunnel, viewers and feeds (and an event feed) in one place.
 *
 * Storage: `lifecycle-asleep` (`true` while asleep; absent when active). Writes of every other
 * store of the object go through `guard()`, which refuses them once the end began, so nothing an
 * in-flight request does can write again after `deleteAll()`.
 */
import { sessionEnded } from '../errors';
import type { SessionState } from '../../protocol';

/**
 * Why a session ended: `ended` by its operator (the admin token), `ended_by_session` (its own
 * session token, e.g. `porthole session end` in the VM), or `expired` (its session token's expiry).
 * The event feed says `ended` for both of the first two.
 */
export type EndReason = 'ended' | 'ended_by_session' | 'expired';

/** The words a client and viewer are told why (the tunnel's 4003 close reason, docs/protocol.md). */
export const END_REASONS: Record<EndReason, string> = {
  ended: 'ended by the operator',
  ended_by_session: 'ended with its session token',
  expired: 'expired',
};

const ASLEEP = 'lifecycle-asleep';

/** The storage the object's stores need (get and put only: port-table.ts, shares.ts, identity-store.ts). */
export interface KeyValueStorage {
  get<T>(key: string): Promise<T | undefined>;
  put<T>(key: string, value: T): Promise<void>;
}

/** What the lifecycle needs of the object's storage (DurableObjectStorage is one; declared for unit tests). */
export interface LifecycleStorage extends KeyValueStorage {
  delete(key: string): Promise<boolean>;
  deleteAll(): Promise<void>;
  setAlarm(scheduledTime: number): Promise<void>;
  deleteAlarm(): Promise<void>;
}

export interface LifecycleHooks {
  /**
   * The session's identity record (written at creation), or null without one; `until`: when the
   * session expires, seconds since the epoch (null: never).
   */
  record(): Promise<{ until: number | null } | null>;
  /** The end began (the flag is set): end the tunnel (4003), every stream and viewer WebSocket, and every feed. */
  ending(reason: EndReason): void;
  /** The operator marked the session asleep or awake (a change only). */
  stateChanged(state: SessionState): void;
}

export class Lifecycle {
  readonly #storage: LifecycleStorage;
  readonly #hooks: LifecycleHooks;
  #ended = false;
  #asleep: Promise<boolean> | null = null;

  constructor(storage: LifecycleStorage, hooks: LifecycleHooks) {
    this.#storage = storage;
    this.#hooks = hooks;
  }

  /** Whether this object ended the session (in memory; a later instance finds no identity record instead). */
  get ended(): boolean {
    return this.#ended;
  }

  /**
   * Resolves when the session is live; throws 410 `session_ended` (GatewayError) when it has ended
   * or was never created. One found past its expiry (its alarm not run yet, or a session created
   * before the alarm was set at creation) is ended now. An RPC method's 410 crosses to the Worker
   * as itself (rpc.ts).
   */
  async live(): Promise<void> {
    if (!(await this.#isLive())) throw sessionEnded();
  }

  async #isLive(): Promise<boolean> {
    if (this.#ended) return false;
    const record = await this.#hooks.record();
    if (!record || this.#ended) return false;
    if (record.until !== null && record.until * 1000 <= Date.now()) {
      await this.end('expired');
      return false;
    }
    return true;
  }

  /** The operator's state of the session (read once per object instance). */
  state(): Promise<SessionState> {
    if (!this.#asleep) {
      const read = this.#storage.get<boolean>(ASLEEP).then((stored) => stored === true);
      read.catch(() => {
        if (this.#asleep === read) this.#asleep = null;
      });
      this.#asleep = read;
    }
    return this.#asleep.then((asleep) => (asleep ? 'asleep' : 'active'));
  }

  /** Mark the session asleep or awake (`active`); no write, and no hook, when it already is. */
  async setState(state: SessionState): Promise<void> {
    await this.live();
    if ((await this.state()) === state) return;
    if (state === 'asleep') await this.guard().put(ASLEEP, true);
    else {
      this.#refuseWhenEnded();
      await this.#storage.delete(ASLEEP);
    }
    this.#asleep = Promise.resolve(state === 'asleep');
    this.#hooks.stateChanged(state);
  }

  /**
   * End the session at once: the flag first (so in-flight work stops and writes nothing), then
   * the hook (tunnel, streams, feeds), then the alarm and every key of storage. False when this
   * object had already ended it.
   */
  async end(reason: EndReason): Promise<boolean> {
    if (this.#ended) return false;
    this.#ended = true;
    this.#asleep = Promise.resolve(false);
    this.#hooks.ending(reason);
    await this.#storage.deleteAlarm();
    await this.#storage.deleteAll();
    return true;
  }

  /** `storage` (the object's own) for the stores: its writes throw 410 `session_ended` once the end began. */
  guard(storage: KeyValueStorage = this.#storage): KeyValueStorage {
    return {
      get: (key) => storage.get(key),
      put: async (key, value) => {
        this.#refuseWhenEnded();
        await storage.put(key, value);
      },
    };
  }

  /** Set an alarm, unless the end began (the end deletes the alarm: none may come back). */
  async setAlarm(atMs: number): Promise<void> {
    this.#refuseWhenEnded();
    await this.#storage.setAlarm(atMs);
  }

  #refuseWhenEnded(): void {
    if (this.#ended) throw sessionEnded();
  }
}
