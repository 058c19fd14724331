/**
 * The one-time owner links the client prints: the dashboard link once per run
 * (waited for a bounded time, since `ready` waits for it), and a login link
 * once per port and run for ports only the owner may open.
 */
import { debuglog } from 'node:util';
import type { ApiLogin } from '../protocol';
import type { PortholeSession } from './sdk/session';

const log = debuglog('porthole');

export class OwnerLinks {
  readonly #api: PortholeSession;
  readonly #waitMs: number;
  #dashboard: Promise<string | undefined> | null = null;
  readonly #offered = new Set<number>();

  /** `dashboardWaitMs`: the longest `dashboard()` waits for the gateway, in milliseconds (default 3000). */
  constructor(api: PortholeSession, dashboardWaitMs = 3000) {
    this.#api = api;
    this.#waitMs = dashboardWaitMs;
  }

  /** The dashboard link, fetched once per run; undefined when the gateway did not give one in time. Never rejects. */
  dashboard(): Promise<string | undefined> {
    if (this.#dashboard) return this.#dashboard;
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => {
        log('no dashboard link within %d ms', this.#waitMs);
        resolve(undefined);
      }, this.#waitMs);
    });
    const fetched = this.#api.dashboardLink().then((link) => link.url);
    this.#dashboard = Promise.race([fetched, giveUp])
      .catch((error: Error) => {
        log('no dashboard link: %s', error.message);
        return undefined;
      })
      .finally(() => clearTimeout(timer));
    return this.#dashboard;
  }

  /**
   * A login link for `port`, the first time it is asked for in this run; null
   * when it was given before. A failure is logged and lets the next call try
   * again. Never rejects.
   */
  async login(port: number): Promise<ApiLogin | null> {
    if (this.#offered.has(port)) return null;
    this.#offered.add(port);
    try {
      return await this.#api.loginLink(port);
    } catch (error) {
      log('no login link for port %d: %s', port, (error as Error).message);
      this.#offered.delete(port);
      return null;
    }
  }
}
