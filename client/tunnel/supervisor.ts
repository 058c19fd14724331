/**
 * Keeps a tunnel up: connects, waits for it to end, and reconnects with
 * capped, jittered backoff while the error says a retry can help.
 */
import { Backoff, type BackoffOptions } from './backoff';
import { Connection, type ConnectionOptions } from './connection';
import { TunnelDroppedError, type TunnelError } from './errors';

export interface SupervisorOptions extends ConnectionOptions {
  backoff?: BackoffOptions;
  /** Awaited before the first connection attempt. */
  beforeConnect?(): Promise<void>;
  /** A new connection is up (send HELLO here). */
  onUp(connection: Connection): void;
  /** The connection ended; retryInMs is null when the supervisor gives up. */
  onDown(error: TunnelError, retryInMs: number | null): void;
}

export class Supervisor {
  readonly #options: SupervisorOptions;
  readonly #backoff: Backoff;
  #connection: Connection | null = null;
  #stopped = false;
  #wake: (() => void) | null = null;
  #done: Promise<TunnelError | null>;

  constructor(options: SupervisorOptions) {
    this.#options = options;
    this.#backoff = new Backoff(options.backoff);
    this.#done = this.#run();
  }

  get connection(): Connection | null {
    return this.#connection;
  }

  /** Resolves when the supervisor stops: null after stop(), else the fatal error. */
  done(): Promise<TunnelError | null> {
    return this.#done;
  }

  stop(): void {
    this.#stopped = true;
    this.#connection?.close();
    this.#wake?.();
  }

  async #run(): Promise<TunnelError | null> {
    await this.#options.beforeConnect?.();
    while (!this.#stopped) {
      let error: TunnelError;
      try {
        const connection = await Connection.open(this.#options);
        if (this.#stopped) {
          connection.close();
          break;
        }
        this.#connection = connection;
        this.#backoff.reset();
        this.#options.onUp(connection);
        error = await connection.closed();
        this.#connection = null;
      } catch (caught) {
        error =
          caught instanceof Error && 'retryable' in caught
            ? (caught as TunnelError)
            : new TunnelDroppedError(String(caught));
      }
      if (this.#stopped) break;
      if (!error.retryable) {
        this.#options.onDown(error, null);
        return error;
      }
      const delay = this.#backoff.next();
      this.#options.onDown(error, delay);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
    return null;
  }
}
