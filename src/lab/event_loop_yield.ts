/**
 * Lets the event loop run between the hub's slices (io completions,
 * messages, timers), then resumes the hub. A message-port hop is the
 * cheapest, but Deno serves port messages ahead of timers: a hub that stays
 * busy would starve every setTimeout/setInterval around it (the lab Worker's
 * snapshot ticker among them). So at least every TIMER_TURN_MS the hop goes
 * through a timer instead.
 */
import type { Clock } from "./clock.ts";

/** Real ms a busy hub may go between turns that let timers fire. */
const TIMER_TURN_MS = 50;

export class EventLoopYield {
  readonly #clock: Clock;
  readonly #onResume: (lagMs: number) => void;
  #port: MessageChannel | null = null;
  #postedAt = 0;
  #lastTimerTurn = 0;
  #turnTimer: ReturnType<typeof setTimeout> | undefined = undefined;

  /** `onResume` gets how late (hub ms) the event loop gave the turn back. */
  constructor(clock: Clock, onResume: (lagMs: number) => void) {
    this.#clock = clock;
    this.#onResume = onResume;
  }

  /** Calls `onResume` once the event loop has had its turn. */
  schedule(): void {
    this.#postedAt = this.#clock.now();
    const real = performance.now();
    if (real - this.#lastTimerTurn >= TIMER_TURN_MS) {
      this.#lastTimerTurn = real;
      this.#turnTimer = setTimeout(this.#resume, 0);
      return;
    }
    if (this.#port === null) {
      this.#port = new MessageChannel();
      this.#port.port1.onmessage = this.#resume;
    }
    this.#port.port2.postMessage(0);
  }

  /** Closes the port: an open one would keep the process alive, so it is kept only while busy. */
  release(): void {
    const port = this.#port;
    if (port === null) return;
    // Forget it first: closing can run the hub again (a resume pending on the
    // port), which comes back here; it must find nothing left to close.
    this.#port = null;
    port.port1.close();
    port.port2.close();
  }

  /** Drops a pending resume (the hub is closing). */
  cancel(): void {
    if (this.#turnTimer !== undefined) clearTimeout(this.#turnTimer);
    this.#turnTimer = undefined;
    this.release();
  }

  #resume = (): void => {
    this.#turnTimer = undefined;
    this.#onResume(this.#clock.now() - this.#postedAt);
  };
}
