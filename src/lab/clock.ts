/**
 * The hub's time source. Everything on the hub (sleep deadlines, step
 * durations, waiting times) is read from one clock, so the same program runs
 * in real time on screen and instantly, exactly, under a virtual clock in
 * tests.
 */

/** A time source in hub milliseconds. */
export interface Clock {
  readonly kind: "real" | "virtual";
  /** Hub milliseconds per real millisecond (2 = timers run twice as fast). */
  readonly speed: number;
  /** Current hub time in milliseconds. */
  now(): number;
  /**
   * Burns `ms` of hub time without yielding, like a blocking call would.
   * On the virtual clock it just moves time on, so "a task that blocks the
   * hub for 2 s" is exact and instant in tests.
   */
  busyWait(ms: number): void;
}

/** Wall-clock time (performance.now), optionally sped up. */
export class RealClock implements Clock {
  readonly kind = "real" as const;
  readonly speed: number;
  #origin = performance.now();

  constructor({ speed = 1 }: { speed?: number } = {}) {
    if (!(speed > 0) || !Number.isFinite(speed)) {
      throw new RangeError(`Cannot create a clock with speed ${speed}: it must be > 0`);
    }
    this.speed = speed;
  }

  now(): number {
    return (performance.now() - this.#origin) * this.speed;
  }

  busyWait(ms: number): void {
    const end = this.now() + ms;
    while (this.now() < end) {
      // deliberately blocking: this is what the lesson warns against
    }
  }
}

/**
 * Time that moves only when told to. The hub advances it to the next timer
 * when every task is waiting and nothing outside (io, holds) is pending.
 */
export class VirtualClock implements Clock {
  readonly kind = "virtual" as const;
  readonly speed = 1;
  #t: number;

  constructor({ start = 0 }: { start?: number } = {}) {
    this.#t = start;
  }

  now(): number {
    return this.#t;
  }

  /** Moves time forward to `t` (never backwards). */
  advanceTo(t: number): void {
    if (t > this.#t) this.#t = t;
  }

  busyWait(ms: number): void {
    if (ms > 0) this.#t += ms;
  }
}
