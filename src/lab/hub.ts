/**
 * The coroutine hub: a single-threaded scheduler for generator tasks with a
 * FIFO ready queue, a binary heap of timers and an injectable clock, and
 * instrumentation that is always on (per-task state, switches, busy and
 * waiting time, wake reasons, a ring of recent state changes; per-hub
 * counts, switches, loop lag; warnings).
 *
 * This file is the hub's public face and its driver (when the hub runs: a
 * microtask when work appears, slices of at most `sliceMs`, a timer for the
 * next deadline). Running tasks is scheduler.ts, the hot path; the parts
 * that only record or report are modules of their own: the state history
 * (state_history.ts), warnings (warning_log.ts), live and finished tasks
 * (task_registry.ts), groups (groups.ts), step timing and the slice budget
 * (step_timing.ts), and the hop to the event loop (event_loop_yield.ts).
 *
 * ```ts
 * const hub = new Hub(); // or virtualHub() in tests
 * const worker = hub.spawn("worker", function* (self) {
 *   for (;;) {
 *     const job = yield recv();              // mailbox: worker.send(job)
 *     const body = yield wait(fetch(job), `GET ${job}`); // any promise
 *     yield sleep(100);
 *   }
 * }, { group: "pool" });
 * worker.send("http://127.0.0.1:8000/");
 * await hub.idle();                          // nothing left that can run
 * ```
 *
 * Time: sleeps, ages and waits are hub ms (`clock.now()`); with the real
 * clock at `speed` 1 that is wall time. The virtual clock jumps to the next
 * timer when no task is ready and nothing outside is pending (io waits that
 * hold the clock, `hold()`s), so timed programs are exact and instant.
 */
import { VirtualClock } from "./clock.ts";
import type { TaskBody } from "./effects.ts";
import { EventLoopYield } from "./event_loop_yield.ts";
import type { GroupStats } from "./groups.ts";
import type { HubOptions, HubStats, SpawnOptions } from "./hub_options.ts";
import { Scheduler } from "./scheduler.ts";
import { DelayTimer } from "./scheduler_core.ts";
import type { TaskEvent } from "./state_history.ts";
import {
  abandonReason,
  S_ABANDONED,
  S_DONE,
  S_FAILED,
  S_IO,
  S_JOIN,
  S_KILLED,
  S_READY,
  S_RECV,
  S_RUNNING,
  S_SEND,
  S_SLEEP,
  S_SWITCH,
  Task,
  TaskAbandoned,
  TaskKilled,
  W_TIMER,
} from "./task.ts";
import type { TaskWarning } from "./warnings.ts";

const NOOP = (): void => {};

export class Hub extends Scheduler {
  #nextId = 1;
  #spawned = 0;
  #lagMax = 0;
  #nextScanAt = 1000;

  // driver
  #scheduled = false;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  #timerAt = Infinity;
  #idleWaiters: (() => void)[] = [];
  readonly #eventLoop: EventLoopYield;

  constructor(options: HubOptions = {}) {
    super(options);
    this.#eventLoop = new EventLoopYield(this.clock, this.#resume);
    this.#nextScanAt = this._now + 1000;
  }

  /** Hub time in ms. */
  now(): number {
    return this.clock.now();
  }

  /** The task whose step is running, if any. */
  get current(): Task | null {
    return this._current;
  }

  set trace(fn: ((line: string) => void) | null) {
    this._trace = fn;
    this._warnings.trace = fn;
  }

  set onWarning(fn: ((warning: TaskWarning) => void) | null) {
    this._warnings.onWarning = fn;
  }

  // ---------------------------------------------------------------- public API

  /** Starts a task; it runs when its turn in the FIFO ready queue comes. */
  spawn(name: string, body: TaskBody, options: SpawnOptions = {}): Task {
    if (this._closed) throw new Error(`Cannot spawn '${name}': the hub is closed`);
    const parent = options.parent === undefined ? this._current : options.parent;
    const group = options.group ?? parent?.group ?? "main";
    if (!this._driving) this._now = this.clock.now();
    const t = new Task({
      hub: this,
      id: this.#nextId++,
      name,
      group,
      parentId: parent?.id ?? 0,
      now: this._now,
      slot: this._history.allocSlot(),
      idleWaits: options.idleWaits,
    });
    t._gen = body(t);
    this._tasks.add(t);
    this.#spawned++;
    this._counts[S_READY]!++;
    t._gs = this._groups.enter(group);
    this._history.record(t, S_READY, this._now);
    t._queued = 1;
    this._push(t);
    if (this._trace !== null) this._trace(`spawn ${name}`);
    this._kick();
    return t;
  }

  /**
   * Kills a task, as a person does with `kill-task`: it becomes `killed`
   * (its error a `TaskKilled`), its `finally` blocks run, joiners wake.
   * Returns false if it had ended.
   */
  kill(t: Task): boolean {
    return this.#end(t, S_KILLED, new TaskKilled(t.name));
  }

  /**
   * Ends a task that its program left waiting (the demo ended, the hub
   * closed): it becomes `abandoned`, not failed, with the reason
   * "`why` while it waited in recv". Like `kill` otherwise.
   */
  abandon(t: Task, why: string): boolean {
    return this.#end(t, S_ABANDONED, new TaskAbandoned(abandonReason(why, t._state, t._label)));
  }

  /** Abandons every live task (see `abandon`). */
  abandonAll(why: string): number {
    let n = 0;
    for (let t = this._tasks.first; t !== null;) {
      const next = t._next;
      if (this.abandon(t, why)) n++;
      t = next;
    }
    return n;
  }

  /** Ends `t` from outside its body in end state `code`, explained by `reason`. */
  #end(t: Task, code: number, reason: Error): boolean {
    if (t.finished) return false;
    if (t === this._current) {
      // ended right after its step returns (see Scheduler._run)
      t._endReq = code;
      t._error = reason;
      return true;
    }
    if (!this._driving) this._now = this.clock.now();
    this.#releaseWait(t);
    const gen = t._gen;
    t._gen = null;
    try {
      gen?.return(undefined);
    } catch {
      // an error thrown by a finally block while dying changes nothing
    }
    this._finish(t, code, reason);
    this._kick();
    return true;
  }

  /**
   * A promise resolved after `ms` of hub time, for code outside tasks (a
   * server's artificial delay). With `holdOnFire` the virtual clock is held
   * from the moment it fires until the returned release is called.
   */
  delay(ms: number, { holdOnFire = false }: { holdOnFire?: boolean } = {}): Promise<() => void> {
    if (!this._driving) this._now = this.clock.now();
    return new Promise((resolve) => {
      this._heap.push(
        new DelayTimer(this._now + Math.max(0, ms), ++this._tseq, holdOnFire, resolve),
      );
      this._timersLive++;
      this._kick();
    });
  }

  /**
   * Marks outside work in flight (a request on the wire): the virtual clock
   * does not move until the returned function is called. No effect on time
   * for the real clock, and never counted as a task.
   */
  hold(): () => void {
    this._holds++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this._holds--;
      this._kick();
    };
  }

  /** Resolves when nothing can run any more: no ready task, timer, io or hold. */
  idle(): Promise<void> {
    if (!this._driving && !this.#scheduled && this.#quiescent()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops the hub: abandons every task ("hub closed"), drops timers, lets the process exit. */
  close(): void {
    if (this._closed) return;
    this.abandonAll("hub closed");
    this._closed = true;
    this._heap.clear();
    this._timersLive = 0;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#eventLoop.cancel();
    this.#resolveIdle();
  }

  // ------------------------------------------------------------ introspection

  stats(): HubStats {
    const c = this._counts;
    return {
      clock: this.clock.kind,
      nowMs: this.clock.now(),
      live: this._tasks.live,
      ready: c[S_READY]!,
      running: c[S_RUNNING]!,
      waiting: {
        sleep: c[S_SLEEP]!,
        io: c[S_IO]!,
        recv: c[S_RECV]!,
        join: c[S_JOIN]!,
        switch: c[S_SWITCH]!,
        send: c[S_SEND]!,
      },
      done: c[S_DONE]!,
      failed: c[S_FAILED]!,
      killed: c[S_KILLED]!,
      abandoned: c[S_ABANDONED]!,
      spawned: this.#spawned,
      switches: this._switches,
      timers: this._timersLive,
      warnings: this._warnings.count,
    };
  }

  /** Total steps run (a step = one resume of one task). */
  get switches(): number {
    return this._switches;
  }

  /** Largest timer lateness (ms) since the last call: the hub's loop lag. */
  takeLoopLagMs(): number {
    const lag = this.#lagMax;
    this.#lagMax = 0;
    return lag;
  }

  /** Calls `fn` for each live task in spawn order. */
  forEachLive(fn: (t: Task) => void): void {
    this._tasks.forEachLive(fn);
  }

  /** The most recently finished tasks, oldest first. */
  recentFinished(): Task[] {
    return this._tasks.recentFinished();
  }

  /**
   * Forgets every finished task kept for the table and gives their history
   * back; returns how many. Totals (done, failed, spawned) keep counting.
   */
  forgetFinished(): number {
    const forgotten = this._tasks.clearFinished();
    for (const t of forgotten) this._history.release(t);
    return forgotten.length;
  }

  /** A live or recently finished task by id. */
  task(id: number): Task | undefined {
    return this._tasks.find(id);
  }

  groups(): GroupStats[] {
    return this._groups.list();
  }

  /** Most recent warnings, newest last. */
  recentWarnings(): TaskWarning[] {
    return this._warnings.recent();
  }

  /**
   * A task's recent state changes, oldest first (at most RING); empty for a
   * task that finished so long ago it is no longer kept.
   */
  events(t: Task): TaskEvent[] {
    return this._history.events(t);
  }

  /** How many of the task's kept state changes happened at or after `sinceMs` (no allocation). */
  eventsSince(t: Task, sinceMs: number): number {
    return this._history.eventsSince(t, sinceMs);
  }

  /** How many state changes the task has had in total (the ring keeps the last RING). */
  eventCount(t: Task): number {
    return this._history.eventCount(t);
  }

  /**
   * Raises "waiting far longer than its peers" warnings (see
   * WarningLog.scanWaits). Run by the hub once per hub second while it is
   * busy; telemetry calls it too, so a hub that went quiet with a stuck task
   * still reports it.
   */
  scanWaits(): void {
    this._warnings.scanWaits(this._tasks, this._groups, this.clock.now());
  }

  /** Undoes the bookkeeping of whatever `t` waits on (it is being killed). */
  #releaseWait(t: Task): void {
    const code = t._state;
    if (code === S_SLEEP) this._timersLive--; // its heap entry is skipped as stale
    else if (code === S_IO) {
      this._ioWaits--;
      if (t._holding) this._ioHolds--;
      t._holding = false;
      // its promise may still settle: the handlers find it ended and ignore it
    }
  }

  // ------------------------------------------------------------------- driver

  #quiescent(): boolean {
    return this._qSize === 0 && this._timersLive === 0 && this._ioWaits === 0 &&
      this._holds === 0;
  }

  protected override _kick(): void {
    if (this._driving || this.#scheduled || this._closed) return;
    this.#scheduled = true;
    queueMicrotask(this.#drive);
  }

  #drive = (): void => {
    this.#scheduled = false;
    if (this._driving || this._closed) return;
    this._driving = true;
    const clock = this.clock;
    const timing = this._timing;
    this._now = timing.startSlice();
    try {
      for (;;) {
        if (this._heap.size > 0) this.#fireTimers();
        if (this._qSize === 0) {
          if (
            this._virtual && this._timersLive > 0 && this._ioHolds === 0 && this._holds === 0
          ) {
            // every task waits on a timer (or on nothing that can wake it): jump
            const at = this.#nextTimerAt();
            (clock as VirtualClock).advanceTo(at);
            this._now = clock.now();
            if (timing.jumped(this._now)) break;
            continue;
          }
          break;
        }
        let n = this._qSize;
        while (n-- > 0 && !timing.overBudget) {
          const t = this._shift()!;
          if (--t._queued !== 0 || t._state !== S_READY) continue; // stale entry
          this._run(t);
        }
        if (timing.overBudget) break;
        // steps timed one by one have just read the clock (see `_run`)
        if (timing.stride !== 1) this._now = clock.now();
        if (this._now >= this.#nextScanAt) {
          this.#nextScanAt = this._now + 1000;
          this.scanWaits();
        }
      }
    } finally {
      timing.flush();
      this._driving = false;
    }
    if (this._closed) return;
    if (timing.overBudget) {
      this.#scheduled = true;
      this.#eventLoop.schedule();
    } else this.#settle();
  };

  /** Back from the event loop (see event_loop_yield.ts): `lagMs` late. */
  #resume = (lagMs: number): void => {
    if (lagMs > this.#lagMax) this.#lagMax = lagMs;
    this.#drive();
  };

  #nextTimerAt(): number {
    const heap = this._heap;
    for (;;) {
      const top = heap.peek();
      if (top === undefined) return Infinity;
      if (top instanceof Task && top._state !== S_SLEEP) {
        heap.pop(); // killed while asleep
        continue;
      }
      return top._at;
    }
  }

  #fireTimers(): void {
    const heap = this._heap;
    const now = this._now;
    for (;;) {
      const top = heap.peek();
      if (top === undefined || top._at > now) return;
      heap.pop();
      if (top instanceof Task) {
        if (top._state !== S_SLEEP) continue;
        this._timersLive--;
        const late = now - top._at;
        if (late > this.#lagMax) this.#lagMax = late;
        this._wake(top, W_TIMER, undefined, false);
      } else {
        this._timersLive--;
        if (top.holdOnFire) top.resolve(this.hold());
        else top.resolve(NOOP);
      }
    }
  }

  #settle(): void {
    // an open port would keep the process alive: only keep it while busy
    this.#eventLoop.release();
    const at = this._virtual ? Infinity : this.#nextTimerAt();
    if (at !== this.#timerAt) {
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#timerAt = at;
      if (at !== Infinity) {
        const wait = Math.max(0, (at - this.clock.now()) / this._speed);
        this.#timer = setTimeout(this.#onTimer, Math.ceil(wait));
      }
    }
    if (this.#quiescent()) this.#resolveIdle();
  }

  #onTimer = (): void => {
    this.#timer = undefined;
    this.#timerAt = Infinity;
    this.#drive();
  };

  #resolveIdle(): void {
    const waiters = this.#idleWaiters;
    if (waiters.length === 0) return;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }
}

/** A hub on a virtual clock (tests, exact demo runs). */
export function virtualHub(options: Omit<HubOptions, "clock"> = {}): Hub {
  return new Hub({ ...options, clock: new VirtualClock() });
}
