/**
 * Dead-peer detection for the tunnel: a text `ping` every interval; anything
 * received counts as a sign of life. Checked at each ping time: when nothing
 * arrived for over 2.5 intervals (two pings unanswered, and half an interval of
 * grace), the path is dead. A peer that stops answering is thus declared dead
 * three intervals after its last pong (45 s by default), at most 3.5 intervals
 * after any other message.
 */
import type { Clock, TimerHandle } from './clock';

export interface KeepaliveOptions {
  /** Milliseconds between pings (default 15 000). */
  intervalMs?: number;
  clock: Clock;
  /** Send one ping. */
  ping(): void;
  /** Called once when the peer is judged dead; the keepalive has stopped by then. */
  dead(): void;
}

export class Keepalive {
  readonly #options: KeepaliveOptions;
  readonly #interval: number;
  #lastSeen: number;
  #timer: TimerHandle | undefined;
  #stopped = false;

  constructor(options: KeepaliveOptions) {
    this.#options = options;
    this.#interval = options.intervalMs ?? 15_000;
    this.#lastSeen = options.clock.now();
    this.#arm();
  }

  /** The peer said something (any message, binary or `pong`). */
  seen(): void {
    this.#lastSeen = this.#options.clock.now();
  }

  stop(): void {
    this.#stopped = true;
    this.#options.clock.clearTimeout(this.#timer);
  }

  #arm(): void {
    this.#timer = this.#options.clock.setTimeout(() => this.#tick(), this.#interval);
  }

  #tick(): void {
    if (this.#stopped) return;
    if (this.#options.clock.now() - this.#lastSeen > this.#interval * 2.5) {
      this.stop();
      this.#options.dead();
      return;
    }
    this.#options.ping();
    this.#arm();
  }
}
