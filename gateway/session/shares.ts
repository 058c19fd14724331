/**
 * A session's share controls, kept in Durable Object storage so they survive
 * hibernation, restarts and a port closing: who may open each port, the live
 * reviewer links, revoked link ids (until they would have expired), and the
 * one-time login links already used.
 */
import type { Visibility } from '../../protocol';
import { base32 } from '../routing/base32';
import { ControlRate } from './control-rate';
import type { PortStorage } from './port-table';

export interface ShareLink {
  id: string;
  port: number;
  label?: string;
  /** ISO 8601. */
  createdAt: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

/** What a presented link id amounts to. */
export type LinkState = { state: 'live'; link: ShareLink } | { state: 'revoked' } | { state: 'unknown' };

/** Owner visibility choices that change something, per session and second (PATCH /ports, dashboard), and at once above that. */
export const VISIBILITY_CHOICES_PER_SECOND = 10;
export const VISIBILITY_CHOICES_BURST = 20;

interface Stored {
  /** Visibility the owner set explicitly, by port: kept when the port closes and re-opens. */
  visibility: Record<string, Visibility>;
  links: ShareLink[];
  /** Revoked link ids → when their token expires. */
  revoked: Record<string, number>;
  /** Used one-time login ids → when their token expires. */
  usedLogins: Record<string, number>;
}

const KEY = 'shares';
/** Bounds on what one session may hold, so storage cannot grow without end. */
export const MAX_LINKS = 500;
const MAX_USED_LOGINS = 5000;

const now = () => Math.floor(Date.now() / 1000);

export class ShareStore {
  readonly #storage: PortStorage;
  #data: Promise<Stored> | null = null;

  readonly #choices: ControlRate;

  /** `now`: milliseconds, for the choices' rate (tests). */
  constructor(storage: PortStorage, now: () => number = Date.now) {
    this.#storage = storage;
    this.#choices = new ControlRate(VISIBILITY_CHOICES_PER_SECOND, VISIBILITY_CHOICES_BURST, now);
  }

  /** One load, shared by concurrent callers, so every check-and-set sees the same object. */
  #load(): Promise<Stored> {
    this.#data ??= this.#storage.get<Partial<Stored>>(KEY).then((stored) => ({
      visibility: stored?.visibility ?? {},
      links: stored?.links ?? [],
      revoked: stored?.revoked ?? {},
      usedLogins: stored?.usedLogins ?? {},
    }));
    return this.#data;
  }

  async #save(data: Stored): Promise<void> {
    // Expired entries go on every write: an expired token is refused by its `exp` alone.
    const t = now();
    data.links = data.links.filter((l) => l.expiresAt > t);
    for (const map of [data.revoked, data.usedLogins]) {
      for (const [id, exp] of Object.entries(map)) if (exp <= t) delete map[id];
    }
    await this.#storage.put(KEY, data);
  }

  /** The owner's explicit choice for a port, if any. */
  async visibility(port: number): Promise<Visibility | undefined> {
    return (await this.#load()).visibility[port];
  }

  /** Every explicit choice, by port number (as a string key). */
  async visibilities(): Promise<Record<string, Visibility>> {
    return { ...(await this.#load()).visibility };
  }

  /**
   * The owner's choice for a port, kept while the port is down and across restarts. A choice that
   * changes nothing writes nothing; one that does is refused (false, nothing written) past
   * VISIBILITY_CHOICES_PER_SECOND: each rewrites the session's whole shares value.
   */
  async setVisibility(port: number, visibility: Visibility): Promise<boolean> {
    const data = await this.#load();
    if (data.visibility[port] === visibility) return true;
    if (!this.#choices.take(1)) return false;
    data.visibility[port] = visibility;
    await this.#save(data);
    return true;
  }

  /** Store a new link; throws RangeError when the session already holds MAX_LINKS live ones. */
  async addLink(link: ShareLink): Promise<void> {
    const data = await this.#load();
    const t = now();
    if (data.links.filter((l) => l.expiresAt > t).length >= MAX_LINKS) {
      throw new RangeError(`a session holds at most ${MAX_LINKS} live links; revoke some first`);
    }
    data.links.push(link);
    await this.#save(data);
  }

  /**
   * A new link for `port`, live `ttlSeconds` from now, with a random 8-byte id (base32).
   * @throws RangeError when the session already holds MAX_LINKS live ones.
   */
  async createLink(port: number, ttlSeconds: number, label?: string): Promise<ShareLink> {
    const link: ShareLink = {
      id: base32(crypto.getRandomValues(new Uint8Array(8))),
      port,
      createdAt: new Date().toISOString(),
      expiresAt: now() + ttlSeconds,
      ...(label ? { label } : {}),
    };
    await this.addLink(link);
    return link;
  }

  /** The live (unexpired) links. */
  async links(): Promise<ShareLink[]> {
    const t = now();
    return (await this.#load()).links.filter((l) => l.expiresAt > t);
  }

  /** What a presented link id amounts to. Expiry is not checked here: the token's `exp` already was. */
  async link(id: string): Promise<LinkState> {
    const data = await this.#load();
    const link = data.links.find((l) => l.id === id);
    if (link) return { state: 'live', link };
    return id in data.revoked ? { state: 'revoked' } : { state: 'unknown' };
  }

  /** Revoke a live link at once: the link, or null if there is no such live link. */
  async revoke(id: string): Promise<ShareLink | null> {
    const data = await this.#load();
    const link = data.links.find((l) => l.id === id && l.expiresAt > now());
    if (!link) return null;
    data.links = data.links.filter((l) => l.id !== id);
    data.revoked[id] = link.expiresAt;
    await this.#save(data);
    return link;
  }

  /** Mark a one-time login id used; false if it already was. */
  async useLogin(id: string, expiresAt: number): Promise<boolean> {
    const data = await this.#load();
    if (id in data.usedLogins) return false;
    if (Object.keys(data.usedLogins).length >= MAX_USED_LOGINS) {
      const oldest = Object.entries(data.usedLogins).sort((a, b) => a[1] - b[1])[0];
      if (oldest) delete data.usedLogins[oldest[0]];
    }
    data.usedLogins[id] = expiresAt;
    await this.#save(data);
    return true;
  }
}
