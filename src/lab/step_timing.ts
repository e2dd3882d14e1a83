/**
 * Times the hub's steps and keeps its slice budget. A clock read costs ~100
 * ns here, ten switches' worth, so fast steps are timed in batches: the
 * clock is read once per `stride` steps (up to MAX_STRIDE) and the time is
 * shared among them. Slow steps (> 20 us) are timed one by one, which is
 * what the blocking warning needs. The hub runs for at most `sliceMs` real
 * ms at a time; `overBudget` tells it the slice is over.
 *
 * On the switch path (the scheduler's run loop) only `stride`, `overBudget`,
 * `stepEnd()` and, for steps timed alone, `startStep()` are touched: small
 * enough for V8 to inline.
 */
import type { Clock } from "./clock.ts";
import type { Task } from "./task.ts";
import type { WarningLog } from "./warning_log.ts";

/** Steps per clock read at most, when steps are fast. */
const MAX_STRIDE = 64;

export interface StepTimingOptions {
  clock: Clock;
  /** Real ms the hub runs before letting the event loop in. */
  sliceMs: number;
  /** The hub's watchdog (see HubOptions): [0] is written here. */
  watchdog: Float64Array | null;
  warnings: WarningLog;
}

export class StepTiming {
  /** Steps per clock read; 1: each step is timed on its own (read-only outside). */
  stride = 1;
  /** The slice's time is up: the hub stops and lets the event loop in (read-only outside). */
  overBudget = false;
  /** Hub time of the latest clock read (read-only outside). */
  now = 0;
  readonly #clock: Clock;
  readonly #virtual: boolean;
  readonly #speed: number;
  readonly #sliceMs: number;
  readonly #watch: Float64Array | null;
  /** Date.now() at hub time 0, for the watchdog. */
  readonly #epochBase: number;
  readonly #warnings: WarningLog;
  #batch: (Task | undefined)[] = new Array(MAX_STRIDE);
  #n = 0;
  #batchStart = 0;
  #steps = 0;
  #sliceEndHub = 0;
  #sliceEndReal = 0;

  constructor(options: StepTimingOptions) {
    this.#clock = options.clock;
    this.#virtual = options.clock.kind === "virtual";
    this.#speed = options.clock.speed;
    this.#sliceMs = options.sliceMs;
    this.#watch = options.watchdog;
    this.#warnings = options.warnings;
    this.#epochBase = Date.now() - this.#clock.now() / this.#speed;
  }

  /** Starts a slice (and a batch); returns hub time now. */
  startSlice(): number {
    const now = this.#clock.now();
    this.now = now;
    this.#batchStart = now;
    this.#n = 0;
    if (this.#watch !== null) this.#watch[0] = this.#epochBase + now / this.#speed;
    this.overBudget = false;
    this.#sliceEndHub = now + this.#sliceMs * this.#speed;
    // a real clock's slice ends by hub time (flush); only a virtual one needs real time
    if (this.#virtual) this.#sliceEndReal = performance.now() + this.#sliceMs;
    return now;
  }

  /**
   * Before a step timed on its own (`stride` 1): starts its batch; returns hub
   * time now. The clock was read a moment ago (the slice's start, or the end
   * of the step before, with only the hub's bookkeeping since), so that read
   * is the step's start: one clock read per step, not two, and the hub's
   * bookkeeping between two steps is charged to the second.
   */
  startStep(): number {
    this.#batchStart = this.now;
    return this.now;
  }

  /**
   * The virtual clock jumped to `now` with no task run: time spent waiting
   * is nobody's step. Counts as a step for the budget; returns `overBudget`.
   */
  jumped(now: number): boolean {
    this.now = now;
    this.#batchStart = now;
    if ((++this.#steps & 255) === 0 && performance.now() >= this.#sliceEndReal) {
      this.overBudget = true;
    }
    return this.overBudget;
  }

  /** A step of `t` ended; true when this read the clock (then `now` is new). */
  stepEnd(t: Task): boolean {
    this.#batch[this.#n++] = t;
    if (this.#n >= this.stride) {
      this.flush();
      return true;
    }
    if (this.#virtual && (++this.#steps & 1023) === 0) {
      if (performance.now() >= this.#sliceEndReal) this.overBudget = true;
    }
    return false;
  }

  /** Attributes the time since the last read to the steps of the batch. */
  flush(): void {
    const n = this.#n;
    if (n === 0) return;
    const now = this.#clock.now();
    const dt = now - this.#batchStart;
    this.now = now;
    this.#batchStart = now;
    this.#n = 0;
    if (this.#watch !== null) this.#watch[0] = this.#epochBase + now / this.#speed;
    const batch = this.#batch;
    const warnings = this.#warnings;
    if (n === 1) {
      const t = batch[0]!;
      t._busy += dt;
      const real = dt / this.#speed;
      if (real >= warnings.blockingMs) warnings.slowStep(t, real, now);
    } else {
      const per = dt / n;
      for (let i = 0; i < n; i++) batch[i]!._busy += per;
      const real = dt / this.#speed;
      // a slow batch of fast steps: charge the last one (the stride drops to 1 right after)
      if (real >= warnings.blockingMs) warnings.slowStep(batch[n - 1]!, real, now);
    }
    if (!this.#virtual) {
      const perStep = dt / this.#speed / n;
      if (perStep < 0.002) {
        if (this.stride < MAX_STRIDE) this.stride <<= 1;
      } else if (perStep > 0.02) this.stride = 1;
      if (now >= this.#sliceEndHub) this.overBudget = true;
    } else if ((++this.#steps & 1023) === 0 && performance.now() >= this.#sliceEndReal) {
      this.overBudget = true;
    }
  }
}
