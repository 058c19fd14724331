/**
 * Keeps a tunnel up: dials, waits for the tunnel to end, and redials after a
 * backoff while the error's class says a retry can help (never its message).
 * The backoff starts again from its base only once a tunnel has stayed up
 * `stableAfterMs`: a gateway that accepts and then drops at once is redialled
 * ever more slowly, not every 125–250 ms. An error that is not a TunnelError
 * is a bug in the client: its stack is reported, and the supervisor retries.
 */
import { Backoff, type BackoffOptions } from './backoff';
import { type Clock, systemClock } from './clock';
import { TunnelDroppedError, TunnelError } from './errors';

/** Default of `stableAfterMs`: milliseconds a tunnel must stay up before the backoff starts again from its base. */
export const STABLE_AFTER_MS = 5000;

/** What the supervisor needs of a tunnel (client/tunnel/connection.ts implements it). */
export interface Tunnel {
  /** Resolves once, when the tunnel has ended, with why. Never rejects. */
  closed(): Promise<TunnelError>;
  /** Close with a normal closure and `reason`; `closed()` resolves after. */
  close(reason?: string): void;
}

export interface SupervisorOptions<T extends Tunnel> {
  /** Open one tunnel; rejects with a TunnelError (any other rejection is treated as a bug). */
  dial(): Promise<T>;
  /** Delays between attempts (default: 250 ms base, 15 s cap, equal jitter). */
  backoff?: BackoffOptions;
  /** Milliseconds a tunnel must stay up before the backoff starts again from its base (default 5000). */
  stableAfterMs?: number;
  /** Time source for waits and uptime (default the system clock). */
  clock?: Clock;
  /** Awaited before the first attempt. */
  beforeConnect?(): Promise<void>;
  /** A new tunnel is up (send HELLO here). If it throws, that tunnel is closed and the error handled as a bug. */
  onUp(tunnel: T): void;
  /** The tunnel ended or could not be opened; `retryInMs` is null when the supervisor gives up. */
  onDown(error: TunnelError, retryInMs: number | null): void;
  /** A failure that is not a TunnelError (a bug in the client). Default: its stack on stderr. */
  onBug?(error: unknown): void;
}

/** The TunnelError to act on: itself, or for anything else (a bug) a retryable drop that names it. */
function asTunnelError(caught: unknown): TunnelError {
  if (caught instanceof TunnelError) return caught;
  const message = caught instanceof Error ? caught.message : String(caught);
  return new TunnelDroppedError(`internal error: ${message}`, { cause: caught });
}

function reportBug(error: unknown): void {
  process.stderr.write(
    `porthole: internal error (retrying): ${error instanceof Error ? error.stack : String(error)}\n`,
  );
}

export class Supervisor<T extends Tunnel> {
  readonly #options: SupervisorOptions<T>;
  readonly #backoff: Backoff;
  readonly #clock: Clock;
  #tunnel: T | null = null;
  #stopped = false;
  #wake: (() => void) | null = null;
  readonly #done: Promise<TunnelError | null>;

  constructor(options: SupervisorOptions<T>) {
    this.#options = options;
    this.#backoff = new Backoff(options.backoff);
    this.#clock = options.clock ?? systemClock;
    this.#done = this.#run();
  }

  /** The tunnel that is up now, if any. */
  get tunnel(): T | null {
    return this.#tunnel;
  }

  /** Resolves when the supervisor stops: null after stop(), else the error that is not worth a retry. */
  done(): Promise<TunnelError | null> {
    return this.#done;
  }

  stop(): void {
    this.#stopped = true;
    this.#tunnel?.close();
    this.#wake?.();
  }

  /** Dial once and wait for that tunnel to end; never throws. */
  async #attempt(): Promise<TunnelError | null> {
    let tunnel: T;
    try {
      tunnel = await this.#options.dial();
    } catch (caught) {
      return this.#classify(caught);
    }
    if (this.#stopped) {
      tunnel.close();
      return null;
    }
    const upAt = this.#clock.now();
    this.#tunnel = tunnel;
    try {
      this.#options.onUp(tunnel);
    } catch (caught) {
      // A tunnel whose HELLO was never sent would serve nobody: close it and start over.
      this.#tunnel = null;
      tunnel.close('client error');
      return this.#classify(caught);
    }
    const error = await tunnel.closed();
    this.#tunnel = null;
    if (this.#clock.now() - upAt >= (this.#options.stableAfterMs ?? STABLE_AFTER_MS)) this.#backoff.reset();
    return error;
  }

  #classify(caught: unknown): TunnelError {
    if (!(caught instanceof TunnelError)) (this.#options.onBug ?? reportBug)(caught);
    return asTunnelError(caught);
  }

  async #run(): Promise<TunnelError | null> {
    try {
      await this.#options.beforeConnect?.();
    } catch (caught) {
      this.#classify(caught); // Reported; the tunnel still comes up.
    }
    while (!this.#stopped) {
      const error = await this.#attempt();
      if (this.#stopped || error === null) break;
      if (!error.retryable) {
        this.#options.onDown(error, null);
        return error;
      }
      const delay = this.#backoff.next();
      this.#options.onDown(error, delay);
      await new Promise<void>((resolve) => {
        const timer = this.#clock.setTimeout(resolve, delay);
        this.#wake = () => {
          this.#clock.clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
    return null;
  }
}
