/**
 * The coroutine hub: a single-threaded scheduler for generator tasks with a
 * FIFO ready queue, a binary heap of timers and an injectable clock, and
 * instrumentation that is always on (per-task state, switches, busy and
 * waiting time, wake reasons, a ring of recent state changes; per-hub
 * counts, switches, loop lag; warnings).
 *
 * This file is the hot path: the run loop, state transitions, effects and
 * the ready ring. The cold parts are modules of their own: the state history
 * (state_history.ts), warnings (warning_log.ts), live and finished tasks
 * (task_registry.ts), groups (groups.ts), step timing and the slice budget
 * (step_timing.ts) and the hop to the event loop (event_loop_yield.ts).
 *
 * Speed matters here (goal: >= 10M switches/s with instrumentation on), so
 * the hot path avoids allocation: effects are one reused object, timers are
 * the tasks themselves, the recent-state rings of all tasks live in one slab
 * of typed arrays, and the clock is read once per batch of fast steps
 * instead of twice per step (a clock read costs ~100 ns here, ten switches'
 * worth). Slow steps (> 20 us) are timed one by one, which is what the
 * blocking warning needs.
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
import type { HubHeader } from "./protocol.ts";
import { type Clock, RealClock, VirtualClock } from "./clock.ts";
import {
  EFFECT,
  type Effect,
  K_JOIN,
  K_JOIN_ALL,
  K_RECV,
  K_SLEEP,
  K_SWITCH,
  K_WAIT,
  type TaskBody,
} from "./effects.ts";
import { EventLoopYield } from "./event_loop_yield.ts";
import { type GroupStats, GroupTable } from "./groups.ts";
import { StateHistory, type TaskEvent } from "./state_history.ts";
import { StepTiming } from "./step_timing.ts";
import {
  S_DONE,
  S_FAILED,
  S_IO,
  S_JOIN,
  S_READY,
  S_RECV,
  S_RUNNING,
  S_SLEEP,
  S_SWITCH,
  Task,
  type TaskHost,
  TaskKilled,
  W_IO,
  W_IO_ERROR,
  W_JOINED,
  W_MESSAGE,
  W_SLICE,
  W_SWITCH,
  W_TIMER,
  W_YIELD,
  wakeName,
} from "./task.ts";
import { TaskRegistry } from "./task_registry.ts";
import { TimerHeap } from "./timer_heap.ts";
import { WarningLog } from "./warning_log.ts";
import { BLOCKING_MS, NO_YIELD_MS, type TaskWarning } from "./warnings.ts";
import { errorMessage } from "../util/error_message.ts";

/**
 * Every task body is its own closure, and each closure gives its generators a
 * map of their own, so `gen.next` looked up on the generator turns
 * megamorphic once a few programs have run. All generators share these two
 * methods: calling them directly skips the lookup (+20% switches/s).
 */
type Step = IteratorResult<Effect | undefined, unknown>;
const GENERATOR_PROTOTYPE = Object.getPrototypeOf(function* () {}).prototype;
const genNext: (this: Generator, value: unknown) => Step = GENERATOR_PROTOTYPE.next;
const genThrow: (this: Generator, error: unknown) => Step = GENERATOR_PROTOTYPE.throw;

export interface HubOptions {
  /** Time source; default a real clock. */
  clock?: Clock;
  /** A step longer than this (real ms) is a blocking warning. */
  blockingMs?: number;
  /** A step longer than this (real ms) is a "did not yield" warning. */
  noYieldMs?: number;
  /** Scheduling events (`switch c1 -> producer`, `c1: sleep 1000 ms`, `wake c1 (timer fired)`). */
  trace?: (line: string) => void;
  /** Called for every warning as it is raised. */
  onWarning?: (warning: TaskWarning) => void;
  /** Real ms the hub runs before letting the event loop in (io, messages). */
  sliceMs?: number;
  /**
   * Live view of the running step for another thread (over a
   * SharedArrayBuffer, length >= 2): [0] = when the current step (or batch
   * of fast steps) began, Date.now() ms; [1] = id of the running task, 0
   * between steps. Another thread can tell "task #7 has not yielded for
   * 1.4 s" while this one is stuck in that step.
   */
  watchdog?: Float64Array;
  /** Finished tasks kept for the task table. */
  keepFinished?: number;
}

export interface SpawnOptions {
  /** Group shown in the table and used to compare peers; default the parent's, else "main". */
  group?: string;
  /** Parent task; default the task that calls spawn (none from outside the hub). */
  parent?: Task | null;
}

/** Counters for the hub header: the snapshot's header less the per-interval rates. */
export type HubStats = Omit<HubHeader, "switchesPerS" | "loopLagMs">;

/** A timer for code outside tasks (`hub.delay`). */
class DelayTimer {
  _at: number;
  _tseq: number;
  readonly holdOnFire: boolean;
  readonly resolve: (release: () => void) => void;
  constructor(at: number, seq: number, holdOnFire: boolean, resolve: (r: () => void) => void) {
    this._at = at;
    this._tseq = seq;
    this.holdOnFire = holdOnFire;
    this.resolve = resolve;
  }
}

const NOOP = (): void => {};

export class Hub implements TaskHost {
  readonly clock: Clock;
  readonly #virtual: boolean;
  readonly #speed: number;
  readonly #watch: Float64Array | null;
  #trace: ((line: string) => void) | null;

  // ready queue: ring buffer, FIFO
  #q: (Task | undefined)[] = new Array(16);
  #qHead = 0;
  #qSize = 0;
  #qMask = 15;

  #heap = new TimerHeap<Task | DelayTimer>();
  #tseq = 0;
  #timersLive = 0;
  #ioWaits = 0;
  #ioHolds = 0;
  #holds = 0;

  #nextId = 1;
  #counts = new Int32Array(9);
  #spawned = 0;
  #switches = 0;
  #current: Task | null = null;
  #lastRan: Task | null = null;
  #now = 0;
  #lagMax = 0;
  #nextScanAt = 1000;

  readonly #tasks: TaskRegistry;
  readonly #groups = new GroupTable();
  readonly #history = new StateHistory();
  readonly #warnings: WarningLog;
  readonly #timing: StepTiming;
  readonly #eventLoop: EventLoopYield;

  // driver
  #driving = false;
  #scheduled = false;
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  #timerAt = Infinity;
  #idleWaiters: (() => void)[] = [];

  constructor(options: HubOptions = {}) {
    this.clock = options.clock ?? new RealClock();
    this.#virtual = this.clock.kind === "virtual";
    this.#speed = this.clock.speed;
    this.#tasks = new TaskRegistry(options.keepFinished ?? 200);
    this.#trace = options.trace ?? null;
    this.#watch = options.watchdog ?? null;
    this.#warnings = new WarningLog({
      blockingMs: options.blockingMs ?? BLOCKING_MS,
      noYieldMs: options.noYieldMs ?? NO_YIELD_MS,
      speed: this.#speed,
    });
    this.#warnings.trace = this.#trace;
    this.#warnings.onWarning = options.onWarning ?? null;
    this.#timing = new StepTiming({
      clock: this.clock,
      sliceMs: options.sliceMs ?? 20,
      watchdog: this.#watch,
      warnings: this.#warnings,
    });
    this.#eventLoop = new EventLoopYield(this.clock, this.#resume);
    this.#now = this.clock.now();
    this.#nextScanAt = this.#now + 1000;
  }

  /** Hub time in ms. */
  now(): number {
    return this.clock.now();
  }

  /** The task whose step is running, if any. */
  get current(): Task | null {
    return this.#current;
  }

  set trace(fn: ((line: string) => void) | null) {
    this.#trace = fn;
    this.#warnings.trace = fn;
  }

  set onWarning(fn: ((warning: TaskWarning) => void) | null) {
    this.#warnings.onWarning = fn;
  }

  // ---------------------------------------------------------------- public API

  /** Starts a task; it runs when its turn in the FIFO ready queue comes. */
  spawn(name: string, body: TaskBody, options: SpawnOptions = {}): Task {
    if (this.#closed) throw new Error(`Cannot spawn '${name}': the hub is closed`);
    const parent = options.parent === undefined ? this.#current : options.parent;
    const group = options.group ?? parent?.group ?? "main";
    if (!this.#driving) this.#now = this.clock.now();
    const t = new Task({
      hub: this,
      id: this.#nextId++,
      name,
      group,
      parentId: parent?.id ?? 0,
      now: this.#now,
      slot: this.#history.allocSlot(),
    });
    t._gen = body(t);
    this.#tasks.add(t);
    this.#spawned++;
    this.#counts[S_READY]!++;
    t._gs = this.#groups.enter(group);
    this.#history.record(t, S_READY, this.#now);
    t._queued = 1;
    this.#push(t);
    if (this.#trace !== null) this.#trace(`spawn ${name}`);
    this.#kick();
    return t;
  }

  /**
   * Ends a task: it becomes `failed` with a `TaskKilled` error, its
   * `finally` blocks run, joiners wake. Returns false if it had finished.
   */
  kill(t: Task): boolean {
    if (t.finished) return false;
    if (t === this.#current) {
      t._killReq = true; // finished right after its step returns
      return true;
    }
    if (!this.#driving) this.#now = this.clock.now();
    this.#releaseWait(t);
    const gen = t._gen;
    t._gen = null;
    try {
      gen?.return(undefined);
    } catch {
      // an error thrown by a finally block while dying changes nothing
    }
    this.#finish(t, S_FAILED, new TaskKilled(t.name));
    this.#kick();
    return true;
  }

  /** Kills every live task. */
  killAll(): number {
    let n = 0;
    for (let t = this.#tasks.first; t !== null;) {
      const next = t._next;
      if (this.kill(t)) n++;
      t = next;
    }
    return n;
  }

  /**
   * A promise resolved after `ms` of hub time, for code outside tasks (a
   * server's artificial delay). With `holdOnFire` the virtual clock is held
   * from the moment it fires until the returned release is called.
   */
  delay(ms: number, { holdOnFire = false }: { holdOnFire?: boolean } = {}): Promise<() => void> {
    if (!this.#driving) this.#now = this.clock.now();
    return new Promise((resolve) => {
      this.#heap.push(
        new DelayTimer(this.#now + Math.max(0, ms), ++this.#tseq, holdOnFire, resolve),
      );
      this.#timersLive++;
      this.#kick();
    });
  }

  /**
   * Marks outside work in flight (a request on the wire): the virtual clock
   * does not move until the returned function is called. No effect on time
   * for the real clock, and never counted as a task.
   */
  hold(): () => void {
    this.#holds++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.#holds--;
      this.#kick();
    };
  }

  /** Resolves when nothing can run any more: no ready task, timer, io or hold. */
  idle(): Promise<void> {
    if (!this.#driving && !this.#scheduled && this.#quiescent()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops the hub: kills every task, drops timers, lets the process exit. */
  close(): void {
    if (this.#closed) return;
    this.killAll();
    this.#closed = true;
    this.#heap.clear();
    this.#timersLive = 0;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#eventLoop.cancel();
    this.#resolveIdle();
  }

  stats(): HubStats {
    const c = this.#counts;
    return {
      clock: this.clock.kind,
      nowMs: this.clock.now(),
      live: this.#tasks.live,
      ready: c[S_READY]!,
      running: c[S_RUNNING]!,
      waiting: {
        sleep: c[S_SLEEP]!,
        io: c[S_IO]!,
        recv: c[S_RECV]!,
        join: c[S_JOIN]!,
        switch: c[S_SWITCH]!,
      },
      done: c[S_DONE]!,
      failed: c[S_FAILED]!,
      spawned: this.#spawned,
      switches: this.#switches,
      timers: this.#timersLive,
      warnings: this.#warnings.count,
    };
  }

  /** Total steps run (a step = one resume of one task). */
  get switches(): number {
    return this.#switches;
  }

  /** Largest timer lateness (ms) since the last call: the hub's loop lag. */
  takeLoopLagMs(): number {
    const lag = this.#lagMax;
    this.#lagMax = 0;
    return lag;
  }

  /** Calls `fn` for each live task in spawn order. */
  forEachLive(fn: (t: Task) => void): void {
    this.#tasks.forEachLive(fn);
  }

  /** The most recently finished tasks, oldest first. */
  recentFinished(): Task[] {
    return this.#tasks.recentFinished();
  }

  /** A live or recently finished task by id. */
  task(id: number): Task | undefined {
    return this.#tasks.find(id);
  }

  groups(): GroupStats[] {
    return this.#groups.list();
  }

  /** Most recent warnings, newest last. */
  recentWarnings(): TaskWarning[] {
    return this.#warnings.recent();
  }

  /**
   * A task's recent state changes, oldest first (at most RING); empty for a
   * task that finished so long ago it is no longer kept.
   */
  events(t: Task): TaskEvent[] {
    return this.#history.events(t);
  }

  /** How many of the task's kept state changes happened at or after `sinceMs` (no allocation). */
  eventsSince(t: Task, sinceMs: number): number {
    return this.#history.eventsSince(t, sinceMs);
  }

  /** How many state changes the task has had in total (the ring keeps the last RING). */
  eventCount(t: Task): number {
    return this.#history.eventCount(t);
  }

  /**
   * Raises "waiting far longer than its peers" warnings (see
   * WarningLog.scanWaits). Run by the hub once per hub second while it is
   * busy; telemetry calls it too, so a hub that went quiet with a stuck task
   * still reports it.
   */
  scanWaits(): void {
    this.#warnings.scanWaits(this.#tasks, this.#groups, this.clock.now());
  }

  // ------------------------------------------------------------- task plumbing

  /** @internal `task.send(value)` */
  _deliver(t: Task, value: unknown): void {
    if (t.finished) return;
    if (t._state === S_RECV) {
      this.#wake(t, W_MESSAGE, value, false);
      return;
    }
    const box = (t._mailbox ??= []);
    box.push(value);
  }

  /** Moves `t` to state `code`, keeping counts, waiting time and the history up to date. */
  #to(t: Task, code: number): void {
    const old = t._state;
    const now = this.#now;
    if (old >= S_SLEEP && old <= S_SWITCH) {
      const w = now - t._since;
      t._waited += w;
      const g = t._gs;
      if (g !== null) {
        g.typicalWaitMs += (w - g.typicalWaitMs) * 0.125;
        g.completedWaits++;
      }
    }
    const counts = this.#counts;
    counts[old]!--;
    counts[code]!++;
    t._state = code;
    t._since = now;
    this.#history.record(t, code, now);
  }

  #push(t: Task): void {
    if (this.#qSize > this.#qMask) this.#growQueue();
    this.#q[(this.#qHead + this.#qSize) & this.#qMask] = t;
    this.#qSize++;
  }

  #shift(): Task | undefined {
    const i = this.#qHead;
    const t = this.#q[i];
    this.#q[i] = undefined;
    this.#qHead = (i + 1) & this.#qMask;
    this.#qSize--;
    return t;
  }

  #growQueue(): void {
    const old = this.#q;
    const n = old.length;
    const q: (Task | undefined)[] = new Array(n * 2);
    for (let k = 0; k < this.#qSize; k++) q[k] = old[(this.#qHead + k) & this.#qMask];
    this.#q = q;
    this.#qHead = 0;
    this.#qMask = n * 2 - 1;
  }

  #wake(t: Task, reason: number, value: unknown, isThrow: boolean): void {
    if (!this.#driving) this.#now = this.clock.now();
    this.#to(t, S_READY);
    t._wake = reason;
    t._rv = value;
    t._throw = isThrow;
    t._queued++;
    this.#push(t);
    if (this.#trace !== null) this.#trace(`wake ${t.name} (${wakeName(reason)})`);
    this.#kick();
  }

  /** Undoes the bookkeeping of whatever `t` waits on (it is being killed). */
  #releaseWait(t: Task): void {
    const code = t._state;
    if (code === S_SLEEP) this.#timersLive--; // its heap entry is skipped as stale
    else if (code === S_IO) {
      this.#ioWaits--;
      if (t._holding) this.#ioHolds--;
      t._holding = false;
      t._wseq++;
    }
  }

  #finish(t: Task, code: number, value: unknown): void {
    this.#to(t, code);
    t._endedAt = this.#now;
    t._gen = null;
    t._mailbox = null;
    if (code === S_DONE) t._result = value;
    else t._error = value;
    const g = t._gs;
    if (g !== null) this.#groups.leave(g);
    // keep it for the table; the task it pushes out gives its history slot back
    const forgotten = this.#tasks.retire(t);
    if (forgotten !== undefined) this.#history.release(forgotten);
    if (this.#trace !== null) {
      this.#trace(
        code === S_DONE ? `${t.name}: done` : `${t.name}: failed: ${errorMessage(value)}`,
      );
    }
    const joiners = t._joiners;
    if (joiners !== null) {
      t._joiners = null;
      for (const j of joiners) {
        if (j._state !== S_JOIN) continue;
        j._wakeFrom = t.id;
        const targets = j._joinTargets;
        if (targets === null) this.#wake(j, W_JOINED, t._result, false);
        else if (--j._joinLeft === 0) {
          j._joinTargets = null;
          this.#wake(j, W_JOINED, targets.map((x) => x._result), false);
        }
      }
    }
    const waiters = t._doneWaiters;
    if (waiters !== null) {
      t._doneWaiters = null;
      for (const w of waiters) w();
    }
  }

  // ------------------------------------------------------------------- driver

  #quiescent(): boolean {
    return this.#qSize === 0 && this.#timersLive === 0 && this.#ioWaits === 0 &&
      this.#holds === 0;
  }

  #kick(): void {
    if (this.#driving || this.#scheduled || this.#closed) return;
    this.#scheduled = true;
    queueMicrotask(this.#drive);
  }

  #drive = (): void => {
    this.#scheduled = false;
    if (this.#driving || this.#closed) return;
    this.#driving = true;
    const clock = this.clock;
    const timing = this.#timing;
    this.#now = timing.startSlice();
    try {
      for (;;) {
        if (this.#heap.size > 0) this.#fireTimers();
        if (this.#qSize === 0) {
          if (
            this.#virtual && this.#timersLive > 0 && this.#ioHolds === 0 && this.#holds === 0
          ) {
            // every task waits on a timer (or on nothing that can wake it): jump
            const at = this.#nextTimerAt();
            (clock as VirtualClock).advanceTo(at);
            this.#now = clock.now();
            if (timing.jumped(this.#now)) break;
            continue;
          }
          break;
        }
        let n = this.#qSize;
        while (n-- > 0 && !timing.overBudget) {
          const t = this.#shift()!;
          if (--t._queued !== 0 || t._state !== S_READY) continue; // stale entry
          this.#run(t);
        }
        if (timing.overBudget) break;
        this.#now = clock.now();
        if (this.#now >= this.#nextScanAt) {
          this.#nextScanAt = this.#now + 1000;
          this.scanWaits();
        }
      }
    } finally {
      timing.flush();
      this.#driving = false;
    }
    if (this.#closed) return;
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

  /** Runs `first` and then, without going through the queue, each task it switches to. */
  #run(first: Task): void {
    let t: Task | null = first;
    const trace = this.#trace;
    const watch = this.#watch;
    const timing = this.#timing;
    while (t !== null) {
      if (trace !== null) {
        if (this.#lastRan !== t) trace(`switch ${this.#lastRan?.name ?? "hub"} -> ${t.name}`);
        this.#lastRan = t;
      }
      if (timing.stride === 1) this.#now = timing.startStep();
      this.#to(t, S_RUNNING);
      t._switches++;
      this.#switches++;
      this.#current = t;
      if (watch !== null) watch[1] = t.id;
      const gen: Generator<unknown, unknown, unknown> = t._gen!;
      const v: unknown = t._rv;
      t._rv = undefined;
      let r: Step;
      try {
        if (t._throw) {
          t._throw = false;
          r = genThrow.call(gen, v);
        } else r = genNext.call(gen, v);
      } catch (error) {
        this.#current = null;
        if (watch !== null) watch[1] = 0;
        if (timing.stepEnd(t)) this.#now = timing.now;
        this.#finish(t, S_FAILED, t._killReq ? new TaskKilled(t.name) : error);
        t = null;
        continue;
      }
      this.#current = null;
      if (watch !== null) watch[1] = 0;
      if (timing.stepEnd(t)) this.#now = timing.now;
      if (t._killReq) {
        t._gen = null;
        try {
          gen.return(undefined);
        } catch {
          // dying anyway
        }
        this.#finish(t, S_FAILED, new TaskKilled(t.name));
        t = null;
        continue;
      }
      if (r.done === true) {
        this.#finish(t, S_DONE, r.value);
        t = null;
        continue;
      }
      const stepped: Task = t;
      try {
        // switchTo gets its own small method: the general one is too big for
        // V8 to inline, and a switch chain calls it once per switch.
        const e: Effect | undefined = r.value;
        t = e === EFFECT && e.kind === K_SWITCH
          ? this.#switchEffect(stepped, e)
          : this.#effect(stepped, e);
      } catch (error) {
        // a malformed effect (switchTo(undefined), joinAll(3)) fails its task, not the hub
        if (!stepped.finished) this.#finish(stepped, S_FAILED, error);
        t = null;
        continue;
      }
      if (t !== null && timing.overBudget) {
        // a switch chain that outlived the slice continues in the next one
        this.#to(t, S_READY);
        t._wake = W_SLICE;
        t._queued++;
        this.#push(t);
        t = null;
      }
    }
  }

  /**
   * Applies what `t` yielded (any effect but switchTo, which `#run` hands to
   * `#switchEffect`); returns the task to run next without queueing, if any.
   */
  #effect(t: Task, v: Effect | undefined): Task | null {
    if (v === undefined) {
      this.#to(t, S_READY);
      t._wake = W_YIELD;
      t._queued++;
      this.#push(t);
      if (this.#trace !== null) this.#trace(`${t.name}: yield`);
      return null;
    }
    if (v !== EFFECT) {
      this.#finish(
        t,
        S_FAILED,
        new TypeError(`task '${t.name}' yielded ${String(v)}, which is not a hub effect`),
      );
      return null;
    }
    switch (v.kind) {
      case K_SLEEP: {
        const ms = v.ms;
        if (!(ms > 0)) return this.#effect(t, undefined);
        this.#to(t, S_SLEEP);
        t._at = this.#now + ms;
        t._tseq = ++this.#tseq;
        this.#heap.push(t);
        this.#timersLive++;
        if (this.#trace !== null) this.#trace(`${t.name}: sleep ${ms} ms`);
        return null;
      }
      case K_WAIT: {
        const promise = v.promise!;
        const hold = v.holdClock;
        v.promise = null;
        t._label = v.label;
        this.#to(t, S_IO);
        this.#history.labelLast(t, t._label);
        const seq = ++t._wseq;
        this.#ioWaits++;
        t._holding = hold;
        if (hold) this.#ioHolds++;
        if (this.#trace !== null) this.#trace(`${t.name}: wait io ${t._label}`);
        Promise.resolve(promise).then(
          (value) => this.#ioDone(t, seq, value, false),
          (error) => this.#ioDone(t, seq, error, true),
        );
        return null;
      }
      case K_RECV: {
        const box = t._mailbox;
        if (box !== null && t._mhead < box.length) {
          t._rv = box[t._mhead];
          box[t._mhead++] = undefined;
          if (t._mhead === box.length) {
            box.length = 0;
            t._mhead = 0;
          }
          t._wake = W_MESSAGE;
          return t;
        }
        this.#to(t, S_RECV);
        if (this.#trace !== null) this.#trace(`${t.name}: recv (mailbox empty)`);
        return null;
      }
      case K_JOIN: {
        const target = v.task!;
        v.task = null;
        if (target.finished) {
          t._rv = target._result;
          return t;
        }
        if (target === t) {
          t._rv = new Error(`task '${t.name}' cannot join itself`);
          t._throw = true;
          return t;
        }
        (target._joiners ??= []).push(t);
        t._joinTargets = null;
        this.#to(t, S_JOIN);
        if (this.#trace !== null) this.#trace(`${t.name}: join ${target.name}`);
        return null;
      }
      case K_JOIN_ALL: {
        const targets = v.tasks!;
        v.tasks = null;
        let left = 0;
        for (const x of targets) {
          if (x.finished) continue;
          if (x === t) {
            t._rv = new Error(`task '${t.name}' cannot join itself`);
            t._throw = true;
            return t;
          }
          left++;
        }
        if (left === 0) {
          t._rv = targets.map((x) => x._result);
          return t;
        }
        for (const x of targets) if (!x.finished) (x._joiners ??= []).push(t);
        t._joinLeft = left;
        t._joinTargets = targets;
        this.#to(t, S_JOIN);
        if (this.#trace !== null) this.#trace(`${t.name}: join ${left} tasks`);
        return null;
      }
      default:
        this.#finish(t, S_FAILED, new TypeError(`task '${t.name}' yielded an unknown effect`));
        return null;
    }
  }

  /** switchTo: parks `t` and returns the target to run next, or `t` itself with an error. */
  #switchEffect(t: Task, v: Effect): Task {
    const target = v.task!;
    const value = v.value;
    v.task = null;
    v.value = undefined;
    if (target === t) {
      t._rv = value;
      return t;
    }
    const code = target._state;
    const fresh = code === S_READY && target._switches === 0;
    if ((code !== S_SWITCH && !fresh) || target.hub !== this) {
      t._rv = new TypeError(
        `Cannot switch to '${target.name}': it is ${target.stateText}; ` +
          `only a new task or one parked in switchTo can be switched to`,
      );
      t._throw = true;
      return t;
    }
    this.#to(t, S_SWITCH);
    target._rv = value;
    target._throw = false;
    target._wake = W_SWITCH;
    target._wakeFrom = t.id;
    // a fresh target's queue entry goes stale: it runs now instead
    return target;
  }

  #ioDone(t: Task, seq: number, value: unknown, isError: boolean): void {
    if (t._state !== S_IO || t._wseq !== seq || this.#closed) return;
    this.#ioWaits--;
    if (t._holding) this.#ioHolds--;
    t._holding = false;
    this.#wake(t, isError ? W_IO_ERROR : W_IO, value, isError);
  }

  #nextTimerAt(): number {
    const heap = this.#heap;
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
    const heap = this.#heap;
    const now = this.#now;
    for (;;) {
      const top = heap.peek();
      if (top === undefined || top._at > now) return;
      heap.pop();
      if (top instanceof Task) {
        if (top._state !== S_SLEEP) continue;
        this.#timersLive--;
        const late = now - top._at;
        if (late > this.#lagMax) this.#lagMax = late;
        this.#wake(top, W_TIMER, undefined, false);
      } else {
        this.#timersLive--;
        if (top.holdOnFire) top.resolve(this.hold());
        else top.resolve(NOOP);
      }
    }
  }

  #settle(): void {
    // an open port would keep the process alive: only keep it while busy
    this.#eventLoop.release();
    const at = this.#virtual ? Infinity : this.#nextTimerAt();
    if (at !== this.#timerAt) {
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#timerAt = at;
      if (at !== Infinity) {
        const wait = Math.max(0, (at - this.clock.now()) / this.#speed);
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
