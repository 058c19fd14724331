/** The one error of the local private-path checks. */

/** A path this user must not trust: foreign-owned, readable or writable by others, not what it should be, or in a folder others may write. */
export class UnsafePathError extends Error {
  readonly code = 'unsafe_path';
  constructor(message: string) {
    super(message);
    this.name = 'UnsafePathError';
  }
}
