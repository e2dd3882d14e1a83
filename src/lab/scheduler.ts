/**
 * The hub's hot path: resuming tasks and applying what they yield. A FIFO
 * ready ring, the run loop over a task and the tasks it switches to, the
 * effects (sleep, wait, recv, switchTo, join, joinAll) and the state
 * transitions with their always-on instrumentation (counts, busy and
 * waiting time, wake reasons, the state history). `Hub` (hub.ts) builds on
 * it: the public API, and when the hub runs (the driver).
 *
 * Speed matters here (goal: >= 10M switches/s with instrumentation on), so
 * nothing on this path allocates: effects are one reused object, timers are
 * the tasks themselves, the state history is one slab of typed arrays, and
 * step timing reads the clock once per batch of fast steps
 * (step_timing.ts). V8 inlines small methods only: switchTo has its own.
 */
import { type Clock, RealClock } from "./clock.ts";
import {
  EFFECT,
  type Effect,
  K_JOIN,
  K_JOIN_ALL,
  K_RECV,
  K_SLEEP,
  K_SWITCH,
  K_WAIT,
} from "./effects.ts";
import { GroupTable } from "./groups.ts";
import type { HubOptions } from "./hub_options.ts";
import { StateHistory } from "./state_history.ts";
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
  type Task,
  type TaskHost,
  TaskKilled,
  W_IO,
  W_IO_ERROR,
  W_JOINED,
  W_MESSAGE,
  W_SLICE,
  W_SWITCH,
  W_YIELD,
  wakeName,
} from "./task.ts";
import { TaskRegistry } from "./task_registry.ts";
import { TimerHeap } from "./timer_heap.ts";
import { WarningLog } from "./warning_log.ts";
import { BLOCKING_MS, NO_YIELD_MS } from "./warnings.ts";
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

/** A timer for code outside tasks (`hub.delay`); it shares the heap with sleeping tasks. */
export class DelayTimer {
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

export abstract class Scheduler implements TaskHost {
  readonly clock: Clock;
  protected readonly _virtual: boolean;
  protected readonly _speed: number;
  readonly #watch: Float64Array | null;
  protected _trace: ((line: string) => void) | null;

  // ready queue: ring buffer, FIFO
  #q: (Task | undefined)[] = new Array(16);
  #qHead = 0;
  protected _qSize = 0;
  #qMask = 15;

  protected readonly _heap = new TimerHeap<Task | DelayTimer>();
  protected _tseq = 0;
  protected _timersLive = 0;
  protected _ioWaits = 0;
  protected _ioHolds = 0;
  protected _holds = 0;

  protected readonly _counts = new Int32Array(9);
  protected _switches = 0;
  protected _current: Task | null = null;
  #lastRan: Task | null = null;
  /** Hub time of the step being run (read from the clock at most once per batch of steps). */
  protected _now = 0;
  protected _driving = false;
  protected _closed = false;

  protected readonly _tasks: TaskRegistry;
  protected readonly _groups = new GroupTable();
  protected readonly _history = new StateHistory();
  protected readonly _warnings: WarningLog;
  protected readonly _timing: StepTiming;

  constructor(options: HubOptions) {
    this.clock = options.clock ?? new RealClock();
    this._virtual = this.clock.kind === "virtual";
    this._speed = this.clock.speed;
    this._tasks = new TaskRegistry(options.keepFinished ?? 200);
    this._trace = options.trace ?? null;
    this.#watch = options.watchdog ?? null;
    this._warnings = new WarningLog({
      blockingMs: options.blockingMs ?? BLOCKING_MS,
      noYieldMs: options.noYieldMs ?? NO_YIELD_MS,
      speed: this._speed,
    });
    this._warnings.trace = this._trace;
    this._warnings.onWarning = options.onWarning ?? null;
    this._timing = new StepTiming({
      clock: this.clock,
      sliceMs: options.sliceMs ?? 20,
      watchdog: this.#watch,
      warnings: this._warnings,
    });
    this._now = this.clock.now();
  }

  /** Hub time in ms. */
  abstract now(): number;

  /** Makes sure the hub runs soon (it has work). */
  protected abstract _kick(): void;

  /** @internal `task.send(value)` */
  _deliver(t: Task, value: unknown): void {
    if (t.finished) return;
    if (t._state === S_RECV) {
      this._wake(t, W_MESSAGE, value, false);
      return;
    }
    const box = (t._mailbox ??= []);
    box.push(value);
  }

  // ------------------------------------------------------------ state changes

  /** Moves `t` to state `code`, keeping counts, waiting time and the history up to date. */
  protected _to(t: Task, code: number): void {
    const old = t._state;
    const now = this._now;
    if (old >= S_SLEEP && old <= S_SWITCH) {
      const w = now - t._since;
      t._waited += w;
      const g = t._gs;
      if (g !== null) {
        g.typicalWaitMs += (w - g.typicalWaitMs) * 0.125;
        g.completedWaits++;
      }
    }
    const counts = this._counts;
    counts[old]!--;
    counts[code]!++;
    t._state = code;
    t._since = now;
    this._history.record(t, code, now);
  }

  protected _wake(t: Task, reason: number, value: unknown, isThrow: boolean): void {
    if (!this._driving) this._now = this.clock.now();
    this._to(t, S_READY);
    t._wake = reason;
    t._rv = value;
    t._throw = isThrow;
    t._queued++;
    this._push(t);
    if (this._trace !== null) this._trace(`wake ${t.name} (${wakeName(reason)})`);
    this._kick();
  }

  protected _finish(t: Task, code: number, value: unknown): void {
    this._to(t, code);
    t._endedAt = this._now;
    t._gen = null;
    t._mailbox = null;
    if (code === S_DONE) t._result = value;
    else t._error = value;
    const g = t._gs;
    if (g !== null) this._groups.leave(g);
    // keep it for the table; the task it pushes out gives its history slot back
    const forgotten = this._tasks.retire(t);
    if (forgotten !== undefined) this._history.release(forgotten);
    if (this._trace !== null) {
      this._trace(
        code === S_DONE ? `${t.name}: done` : `${t.name}: failed: ${errorMessage(value)}`,
      );
    }
    const joiners = t._joiners;
    if (joiners !== null) {
      t._joiners = null;
      for (const j of joiners) {
        if (j._state !== S_JOIN) continue;
        const targets = j._joinTargets;
        if (targets === null) this._wake(j, W_JOINED, t._result, false);
        else if (--j._joinLeft === 0) {
          j._joinTargets = null;
          this._wake(j, W_JOINED, targets.map((x) => x._result), false);
        }
      }
    }
    const waiters = t._doneWaiters;
    if (waiters !== null) {
      t._doneWaiters = null;
      for (const w of waiters) w();
    }
  }

  // --------------------------------------------------------------- ready ring

  protected _push(t: Task): void {
    if (this._qSize > this.#qMask) this.#growQueue();
    this.#q[(this.#qHead + this._qSize) & this.#qMask] = t;
    this._qSize++;
  }

  protected _shift(): Task | undefined {
    const i = this.#qHead;
    const t = this.#q[i];
    this.#q[i] = undefined;
    this.#qHead = (i + 1) & this.#qMask;
    this._qSize--;
    return t;
  }

  #growQueue(): void {
    const old = this.#q;
    const n = old.length;
    const q: (Task | undefined)[] = new Array(n * 2);
    for (let k = 0; k < this._qSize; k++) q[k] = old[(this.#qHead + k) & this.#qMask];
    this.#q = q;
    this.#qHead = 0;
    this.#qMask = n * 2 - 1;
  }

  // ----------------------------------------------------------------- run loop

  /** Runs `first` and then, without going through the queue, each task it switches to. */
  protected _run(first: Task): void {
    let t: Task | null = first;
    const trace = this._trace;
    const watch = this.#watch;
    const timing = this._timing;
    while (t !== null) {
      if (trace !== null) {
        if (this.#lastRan !== t) trace(`switch ${this.#lastRan?.name ?? "hub"} -> ${t.name}`);
        this.#lastRan = t;
      }
      if (timing.stride === 1) this._now = timing.startStep();
      this._to(t, S_RUNNING);
      t._switches++;
      this._switches++;
      this._current = t;
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
        this._current = null;
        if (watch !== null) watch[1] = 0;
        if (timing.stepEnd(t)) this._now = timing.now;
        this._finish(t, S_FAILED, t._killReq ? new TaskKilled(t.name) : error);
        t = null;
        continue;
      }
      this._current = null;
      if (watch !== null) watch[1] = 0;
      if (timing.stepEnd(t)) this._now = timing.now;
      if (t._killReq) {
        t._gen = null;
        try {
          gen.return(undefined);
        } catch {
          // dying anyway
        }
        this._finish(t, S_FAILED, new TaskKilled(t.name));
        t = null;
        continue;
      }
      if (r.done === true) {
        this._finish(t, S_DONE, r.value);
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
        if (!stepped.finished) this._finish(stepped, S_FAILED, error);
        t = null;
        continue;
      }
      if (t !== null && timing.overBudget) {
        // a switch chain that outlived the slice continues in the next one
        this._to(t, S_READY);
        t._wake = W_SLICE;
        t._queued++;
        this._push(t);
        t = null;
      }
    }
  }

  // ------------------------------------------------------------------ effects

  /**
   * Applies what `t` yielded (any effect but switchTo, which `_run` hands to
   * `#switchEffect`); returns the task to run next without queueing, if any.
   */
  #effect(t: Task, v: Effect | undefined): Task | null {
    if (v === undefined) {
      this._to(t, S_READY);
      t._wake = W_YIELD;
      t._queued++;
      this._push(t);
      if (this._trace !== null) this._trace(`${t.name}: yield`);
      return null;
    }
    if (v !== EFFECT) {
      this._finish(
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
        this._to(t, S_SLEEP);
        t._at = this._now + ms;
        t._tseq = ++this._tseq;
        this._heap.push(t);
        this._timersLive++;
        if (this._trace !== null) this._trace(`${t.name}: sleep ${ms} ms`);
        return null;
      }
      case K_WAIT: {
        const promise = v.promise!;
        const hold = v.holdClock;
        v.promise = null;
        t._label = v.label;
        this._to(t, S_IO);
        this._history.labelLast(t, t._label);
        const seq = ++t._wseq;
        this._ioWaits++;
        t._holding = hold;
        if (hold) this._ioHolds++;
        if (this._trace !== null) this._trace(`${t.name}: wait io ${t._label}`);
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
        this._to(t, S_RECV);
        if (this._trace !== null) this._trace(`${t.name}: recv (mailbox empty)`);
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
        this._to(t, S_JOIN);
        if (this._trace !== null) this._trace(`${t.name}: join ${target.name}`);
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
        this._to(t, S_JOIN);
        if (this._trace !== null) this._trace(`${t.name}: join ${left} tasks`);
        return null;
      }
      default:
        this._finish(t, S_FAILED, new TypeError(`task '${t.name}' yielded an unknown effect`));
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
    this._to(t, S_SWITCH);
    target._rv = value;
    target._throw = false;
    target._wake = W_SWITCH;
    // a fresh target's queue entry goes stale: it runs now instead
    return target;
  }

  #ioDone(t: Task, seq: number, value: unknown, isError: boolean): void {
    if (t._state !== S_IO || t._wseq !== seq || this._closed) return;
    this._ioWaits--;
    if (t._holding) this._ioHolds--;
    t._holding = false;
    this._wake(t, isError ? W_IO_ERROR : W_IO, value, isError);
  }
}
