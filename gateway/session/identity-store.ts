/**
 * A session's identity settings and its signed-out sign-ins (docs/identity.md), in the Session
 * object's storage:
 * - `identity`: the owner identity and org policy given at creation (admin API), and the session
 *   token's expiry (`until`, seconds since the epoch), the grant of owner credentials minted for
 *   a signed-in owner. Written once, when the session is created.
 * - `identity-signed-out`: sign-ins (`sid`) signed out of this session, each kept until the
 *   latest any credential of it can live (`until`), at most MAX_SIGNED_OUT. When that many are
 *   live, every identity credential issued before now is refused instead (`cutoff`): a flood of
 *   sign-outs ends sign-ins, it never lets one back in.
 */
import type { SessionIdentity } from '../identity/identity';

export type { SessionIdentity };

/** Signed-out sign-ins kept per session. */
export const MAX_SIGNED_OUT = 1024;

const SETTINGS = 'identity';
const SIGNED_OUT = 'identity-signed-out';

interface SignedOut {
  /** sid → seconds since the epoch until which it stays signed out. */
  sids: Record<string, number>;
  /** Identity credentials issued (iat, seconds) before this are all refused; 0 when never needed. */
  cutoff: number;
}

/** What the store needs of the Session object's storage (DurableObjectStorage is one). */
export interface IdentityStorage {
  get<T>(key: string): Promise<T | undefined>;
  put<T>(key: string, value: T): Promise<void>;
}

export class IdentityStore {
  readonly #storage: IdentityStorage;
  #settings: Promise<SessionIdentity | null> | null = null;
  #signedOut: Promise<SignedOut> | null = null;

  constructor(storage: IdentityStorage) {
    this.#storage = storage;
  }

  /** Keep the settings given at creation. */
  async configure(settings: SessionIdentity): Promise<void> {
    await this.#storage.put(SETTINGS, settings);
    this.#settings = Promise.resolve(settings);
  }

  /** The settings (read once per object instance); a session without its record has none (all null). */
  async settings(): Promise<SessionIdentity> {
    return (await this.record()) ?? { owner: null, policy: null, until: null };
  }

  /**
   * The record written at creation, or null: a session without it has ended or was never created
   * (session/lifecycle.ts). Read once per object instance.
   */
  record(): Promise<SessionIdentity | null> {
    this.#settings ??= this.#read<SessionIdentity | null>(SETTINGS, null, () => {
      this.#settings = null;
    });
    return this.#settings;
  }

  /** Sign `sid` out of this session until `until` (seconds since the epoch); no write when it already is. */
  async signOut(sid: string, until: number): Promise<void> {
    const now = Math.floor(Date.now() / 1000);
    const current = await this.#list();
    const sids: Record<string, number> = {};
    for (const [id, end] of Object.entries(current.sids)) if (end > now) sids[id] = end;
    const pruned = Object.keys(sids).length !== Object.keys(current.sids).length;
    // Already signed out as long, nothing to prune: a repeated sign-out (a kept cookie posted again
    // and again) writes nothing.
    if (!pruned && (current.sids[sid] ?? 0) >= until) return;
    let next: SignedOut = { sids, cutoff: current.cutoff };
    if (until > now) sids[sid] = Math.max(sids[sid] ?? 0, until);
    if (Object.keys(sids).length > MAX_SIGNED_OUT) next = { sids: {}, cutoff: now + 1 };
    await this.#storage.put(SIGNED_OUT, next);
    this.#signedOut = Promise.resolve(next);
  }

  /** Whether a credential of sign-in `sid`, issued at `issuedAt` (seconds), was signed out. */
  async isSignedOut(sid: string, issuedAt: number): Promise<boolean> {
    const list = await this.#list();
    if (issuedAt < list.cutoff) return true;
    return Object.hasOwn(list.sids, sid);
  }

  #list(): Promise<SignedOut> {
    this.#signedOut ??= this.#read<SignedOut>(SIGNED_OUT, { sids: {}, cutoff: 0 }, () => {
      this.#signedOut = null;
    });
    return this.#signedOut;
  }

  #read<T>(key: string, fallback: T, forget: () => void): Promise<T> {
    const read = this.#storage.get<T>(key).then((stored) => stored ?? fallback);
    // A failed read is not kept: the next call reads again.
    read.catch(forget);
    return read;
  }
}
