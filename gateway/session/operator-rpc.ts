/**
 * The operator's RPC of a Session object (session.ts hands each method here; routes/lifecycle.ts
 * has checked the token): the session's state, asleep or awake, and its end (lifecycle.ts, docs/lifecycle.md).
 * An ended session answers 410 `session_ended` to each.
 */
import type { ApiSession, ApiSessionEnded, SessionState } from '../../protocol';
import { sessionEnded } from '../errors';
import type { EndReason } from './lifecycle';
import type { SessionParts } from './parts';

export class OperatorRpc {
  readonly #p: SessionParts;

  constructor(parts: SessionParts) {
    this.#p = parts;
  }

  /** The session as its operator sees it; 410 `session_ended` when it has ended. */
  async info(): Promise<ApiSession> {
    await this.#p.life.live();
    const { until } = await this.#p.identity.settings();
    const tunnel = this.#p.tunnel.current();
    return {
      session: this.#p.session,
      state: await this.#p.life.state(),
      tunnel: tunnel ? 'connected' : 'offline',
      ...(tunnel ? { connectedAt: new Date(tunnel.attachment.connectedAt).toISOString() } : {}),
      expiresAt: new Date((until ?? 0) * 1000).toISOString(),
      ports: (await this.#p.ports.list()).length,
    };
  }

  /** Mark the session asleep or awake (`active`), and say so to its dashboards; the session as it is then. */
  async setState(state: SessionState): Promise<ApiSession> {
    await this.#p.life.setState(state);
    return this.info();
  }

  /** End the session now (lifecycle.ts); 410 `session_ended` when it had already ended. */
  async end(reason: EndReason = 'ended'): Promise<ApiSessionEnded> {
    await this.#p.life.live();
    if (!(await this.#p.life.end(reason))) throw sessionEnded();
    return { session: this.#p.session, state: 'ended', endedAt: new Date().toISOString() };
  }

  /**
   * For tests only (no route reaches it): the keys in the object's storage, and its SQL tables
   * other than the runtime's own, to show that an ended session keeps nothing.
   */
  async storedKeys(): Promise<{ keys: string[]; tables: string[]; alarm: number | null }> {
    const storage = this.#p.ctx.storage;
    const keys = [...(await storage.list()).keys()];
    const tables = storage.sql
      .exec<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .toArray()
      .map((row) => row.name)
      .filter((name) => !name.startsWith('_cf_') && !name.startsWith('sqlite_'));
    return { keys, tables, alarm: await storage.getAlarm() };
  }
}
