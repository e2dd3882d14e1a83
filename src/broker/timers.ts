/**
 * The broker's time and timers, injectable so that everything timed — message
 * TTL, queue expiry, heartbeats, the handshake and close timeouts — can be
 * tested on a fake clock. `realTimers` is the one place in src/broker that
 * touches the platform's clock and timers.
 */
export interface BrokerTimers {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: BrokerTimers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const id = setTimeout(fn, ms);
    // Timers must not keep a process (or a test) alive on their own.
    Deno.unrefTimer(id);
    return id;
  },
  clearTimeout: (handle) => clearTimeout(handle as number),
};
