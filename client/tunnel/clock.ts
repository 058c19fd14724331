/**
 * Time as the tunnel code sees it: injected, so the reconnect policy and the
 * keepalive can be tested without waiting (cloudflared's fake clock, in spirit).
 */

/** A handle returned by `setTimeout`, only ever passed back to `clearTimeout`. */
export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds since some fixed origin (the Unix epoch for the system clock). */
  now(): number;
  /** Call `callback` once, `ms` milliseconds from now; the timer must not keep the process alive. */
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
