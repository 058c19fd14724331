/**
 * The session's sign-out epoch (access/owner-grant.ts): a counter in Durable
 * Object storage, 0 until the first "sign out everywhere". Every owner
 * credential carries the epoch it was granted in; bumping it refuses them all.
 */

import type { KeyValueStorage } from './lifecycle';

const KEY = 'owner-epoch';

export class OwnerEpoch {
  readonly #storage: KeyValueStorage;
  #value: Promise<number> | null = null;

  constructor(storage: KeyValueStorage) {
    this.#storage = storage;
  }

  /** The current epoch (read from storage once per object instance). */
  current(): Promise<number> {
    if (!this.#value) {
      const read = this.#storage.get<number>(KEY).then((stored) => stored ?? 0);
      // A failed read is not kept: the next request reads again.
      read.catch(() => {
        if (this.#value === read) this.#value = null;
      });
      this.#value = read;
    }
    return this.#value;
  }

  /** Begin a new epoch (every earlier owner credential is refused from now on); resolves with it. */
  async bump(): Promise<number> {
    const next = (await this.current()) + 1;
    await this.#storage.put(KEY, next);
    this.#value = Promise.resolve(next);
    return next;
  }
}
