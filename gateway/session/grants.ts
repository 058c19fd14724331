/**
 * What admitted each open viewer stream, so that withdrawing it ends the
 * stream too, not only the next request: a credential is checked when a
 * stream opens, and a WebSocket or a long response may stay open for hours.
 *
 * A stream is tracked from open to done with its viewer (access/policy.ts):
 * an owner by its grant's sign-out epoch, a reviewer by its link id, both
 * with their credential's expiry; anyone (a public port) by nothing but the
 * port. It is reset with RESET `REVOKED` and a reason when
 * - "sign out everywhere" begins a new epoch (owner streams of an older one);
 * - its share link is revoked (that link's reviewer streams);
 * - the sign-in its credential came from signs out (docs/identity.md: owner and member streams
 *   of that `sid`);
 * - its port's effective visibility no longer lets its viewer in (policy.ts
 *   `allowed`: e.g. a link port made private ends reviewers' streams, a
 *   public port made private ends every stream opened while it was public,
 *   as no credential is read there);
 * - the credential it came in with expires (timers, not the request path).
 * A stream admitted just before a sign-out or a revocation and opened just
 * after it (admission awaits storage) is reset as soon as it is tracked; its
 * port's visibility is read again once it is tracked (from memory), so one
 * admitted before a visibility change and opened after it is reset too.
 * A reset HTTP response is cut (the viewer sees an aborted body); a
 * WebSocket's stream is its only handle (ws-bridge.ts): the client, on the
 * RESET, closes its data connection with 1008 and the reason, which closes
 * the viewer's socket (and the origin's).
 */
import { type MuxStream, ResetCode, type Visibility } from '../../protocol';
import { allowed, type Viewer } from '../access/policy';
import { accessWithdrawn } from '../errors';
import type { StreamOpener } from './viewers';

/** A viewer whose streams are tracked (a preflight's is not: it is one short question). */
export type Admitted = Exclude<Viewer, { kind: 'preflight' }>;

interface Held {
  port: number;
  viewer: Admitted;
  timer: ReturnType<typeof setTimeout> | null;
}

/** setTimeout's longest delay (about 24.8 days); a later expiry is waited for in steps. */
const MAX_DELAY_MS = 2 ** 31 - 1;
/** Revoked link ids remembered for streams admitted just before a revocation and opened after it. */
const REMEMBERED_REVOCATIONS = 256;

const SIGNED_OUT = 'the owner signed out everywhere';
const REVOKED = 'the share link was revoked';
const IDENTITY_SIGNED_OUT = 'the viewer signed out';
const NOT_SHARED = 'the port is no longer shared with this viewer';
const EXPIRED = 'the login or link it was opened with has expired';

/** The sign-in a viewer's credential came from, if any. */
function sidOf(viewer: Admitted): string | null {
  if (viewer.kind === 'owner') return viewer.sid ?? null;
  return viewer.kind === 'member' ? viewer.sid : null;
}

export class StreamGrants {
  readonly #held = new Map<MuxStream, Held>();
  readonly #visibility: (port: number) => Promise<Visibility>;
  /** The latest epoch signedOut() began, and the links revoked() last: a stream admitted before them but opened after is reset at once. */
  #epoch = 0;
  readonly #revoked = new Set<string>();
  /** Sign-ins (sid) signed out lately, for streams admitted just before and opened after. */
  readonly #signedOutSids = new Set<string>();

  /** @param visibility a port's effective visibility now (the Session object's views). */
  constructor(visibility: (port: number) => Promise<Visibility>) {
    this.#visibility = visibility;
  }

  /** Streams tracked now (open, not yet done). */
  get size(): number {
    return this.#held.size;
  }

  /**
   * What `viewer` opens on `port` through `mux`, each stream tracked until it is done. A viewer
   * signed out, revoked or expired since it was admitted (it waited for a stream: viewers.ts) is
   * refused with 403 `access_withdrawn` and opens nothing, so the origin never sees its request.
   */
  opener(viewer: Admitted, port: number, mux: StreamOpener): StreamOpener {
    return {
      open: (request) => {
        const withdrawn = this.#withdrawn(viewer);
        if (withdrawn) throw accessWithdrawn(port, withdrawn);
        const stream = mux.open(request);
        this.track(stream, port, viewer);
        return stream;
      },
    };
  }

  /** Track `stream`, opened on `port` for `viewer`, until it is done (or reset here). */
  track(stream: MuxStream, port: number, viewer: Admitted): void {
    const held: Held = { port, viewer, timer: null };
    this.#held.set(stream, held);
    void stream.done().then(() => this.#forget(stream));
    const withdrawn = this.#withdrawn(viewer);
    if (withdrawn) this.#reset(stream, withdrawn);
    else {
      if (viewer.kind !== 'anyone') this.#expireAt(stream, held, viewer.expiresAt * 1000);
      void this.#recheck(stream, held);
    }
  }

  /** Why `viewer`'s credential no longer admits it (as far as is known without storage), or null. */
  #withdrawn(viewer: Admitted): string | null {
    if (viewer.kind === 'owner' && viewer.epoch < this.#epoch) return SIGNED_OUT;
    if (viewer.kind === 'reviewer' && this.#revoked.has(viewer.link)) return REVOKED;
    if (sidOf(viewer) !== null && this.#signedOutSids.has(sidOf(viewer) as string)) return IDENTITY_SIGNED_OUT;
    if (viewer.kind !== 'anyone' && viewer.expiresAt * 1000 <= Date.now()) return EXPIRED;
    return null;
  }

  /** The visibility now may be newer than the one `stream` was admitted under: reset it if it no longer lets its viewer in. */
  async #recheck(stream: MuxStream, held: Held): Promise<void> {
    try {
      const visibility = await this.#visibility(held.port);
      if (this.#held.get(stream) === held && !allowed(visibility, held.viewer)) this.#reset(stream, NOT_SHARED);
    } catch (error) {
      console.error('porthole: re-checking a new stream against its port visibility failed:', error);
    }
  }

  /** "Sign out everywhere" began `epoch`: owner streams of any other epoch are reset. Returns how many. */
  signedOut(epoch: number): number {
    this.#epoch = Math.max(this.#epoch, epoch);
    return this.#resetWhere((held) => held.viewer.kind === 'owner' && held.viewer.epoch !== epoch, SIGNED_OUT);
  }

  /** Sign-in `sid` signed out of the session (docs/identity.md): the streams its credentials opened are reset. Returns how many. */
  identitySignedOut(sid: string): number {
    this.#signedOutSids.add(sid);
    if (this.#signedOutSids.size > REMEMBERED_REVOCATIONS)
      this.#signedOutSids.delete(this.#signedOutSids.values().next().value as string);
    return this.#resetWhere((held) => sidOf(held.viewer) === sid, IDENTITY_SIGNED_OUT);
  }

  /** The session ended (lifecycle.ts): every tracked stream is reset with `reason`. Returns how many. */
  ended(reason: string): number {
    return this.#resetWhere(() => true, reason);
  }

  /** The share link `id` was revoked: the streams it admitted are reset. Returns how many. */
  revoked(id: string): number {
    this.#revoked.add(id);
    if (this.#revoked.size > REMEMBERED_REVOCATIONS)
      this.#revoked.delete(this.#revoked.values().next().value as string);
    return this.#resetWhere((held) => held.viewer.kind === 'reviewer' && held.viewer.link === id, REVOKED);
  }

  /**
   * A port's visibility may have changed: each tracked stream whose viewer its port's effective
   * visibility no longer lets in is reset. Resolves with how many; a failed visibility read is
   * logged (resolves with 0), never thrown at the caller.
   */
  async visibilityChanged(): Promise<number> {
    try {
      const ports = new Map<number, Visibility>();
      for (const held of this.#held.values()) {
        if (!ports.has(held.port)) ports.set(held.port, await this.#visibility(held.port));
      }
      return this.#resetWhere((held) => !allowed(ports.get(held.port) ?? 'public', held.viewer), NOT_SHARED);
    } catch (error) {
      console.error('porthole: re-checking open streams after a visibility change failed:', error);
      return 0;
    }
  }

  #expireAt(stream: MuxStream, held: Held, atMs: number): void {
    const left = atMs - Date.now();
    if (left <= 0) {
      this.#reset(stream, EXPIRED);
      return;
    }
    held.timer = setTimeout(() => this.#expireAt(stream, held, atMs), Math.min(left, MAX_DELAY_MS));
  }

  #resetWhere(withdrawn: (held: Held) => boolean, reason: string): number {
    let count = 0;
    for (const [stream, held] of [...this.#held]) {
      if (!withdrawn(held)) continue;
      this.#reset(stream, reason);
      count++;
    }
    return count;
  }

  #reset(stream: MuxStream, reason: string): void {
    this.#forget(stream);
    stream.reset(ResetCode.REVOKED, reason);
  }

  #forget(stream: MuxStream): void {
    const held = this.#held.get(stream);
    if (held?.timer) clearTimeout(held.timer);
    this.#held.delete(stream);
  }
}
