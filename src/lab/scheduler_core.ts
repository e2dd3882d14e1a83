/**
 * What the hub's hot path stands on: the hub's configuration and counters,
 * the FIFO ready ring, and the state transitions with their always-on
 * instrumentation (counts, busy and waiting time, wake reasons, the state
 * history): moving a task between states, waking it, ending it.
 * `Scheduler` (scheduler.ts) runs tasks and applies their effects on top.
 *
 * Nothing here allocates on the switch path (see scheduler.ts).
 */
import { type Clock, RealClock } from "./clock.ts";
import { GroupTable } from "./groups.ts";
import type { HubOptions } from "./hub_options.ts";
import { StateHistory } from "./state_history.ts";
import { StepTiming } from "./step_timing.ts";
import {
  S_ABANDONED,
  S_DONE,
  S_JOIN,
  S_KILLED,
  S_READY,
  S_RECV,
  S_SEND,
  S_SLEEP,
  STATE_COUNT,
  type Task,
  type TaskHost,
  W_HANDED_BACK,
  W_JOINED,
  W_MESSAGE,
  wakeName,
} from "./task.ts";
import { TaskRegistry } from "./task_registry.ts";
import { TimerHeap } from "./timer_heap.ts";
import { WarningLog } from "./warning_log.ts";
import { BLOCKING_MS, NO_YIELD_MS } from "./warnings.ts";
import { errorMessage } from "../util/error_message.ts";

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

export abstract class SchedulerCore implements TaskHost {
  readonly clock: Clock;
  protected readonly _virtual: boolean;
  protected readonly _speed: number;
  protected readonly _watch: Float64Array | null;
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

  protected readonly _counts = new Int32Array(STATE_COUNT);
  protected _switches = 0;
  protected _current: Task | null = null;
  /** Hub time of the step being run (read from the clock at most once per batch of steps). */
  protected _now = 0;
  protected _driving = false;
  /** `_now` was read by a wake of the microtask run going on (see `_wake`). */
  #wakeStamped = false;
  #unstamp = (): void => {
    this.#wakeStamped = false;
  };
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
    this._watch = options.watchdog ?? null;
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
      watchdog: this._watch,
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
    if (old >= S_SLEEP && old <= S_SEND) {
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
    if (!this._driving && !this.#wakeStamped) {
      // io completions come in batches (one event-loop turn resolves many): the
      // first wake of a batch reads the clock, the others of the same microtask
      // run share its time
      this._now = this.clock.now();
      this.#wakeStamped = true;
      queueMicrotask(this.#unstamp);
    }
    this._to(t, S_READY);
    t._wake = reason;
    t._rv = value;
    t._throw = isThrow;
    t._queued++;
    this._push(t);
    if (this._trace !== null) this._trace(`wake ${t.name} (${wakeName(reason)})`);
    this._kick();
  }

  /**
   * Ends `t` in end state `code` (S_DONE with its return value; else with
   * what explains the end: the error, `TaskKilled`, `TaskAbandoned`).
   */
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
    if (this._trace !== null) this._trace(endLine(t.name, code, value));
    // a sender still parked in send() to it goes on (queued: this end came from outside its step)
    const sender = this._takeSender(t);
    if (sender !== null) {
      this._to(sender, S_READY);
      sender._queued++;
      this._push(sender);
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

  /**
   * Detaches the task parked in `send()` to `t` and returns it ready to run
   * next, or null (none, or it was ended meanwhile).
   */
  protected _takeSender(t: Task): Task | null {
    const s = t._sender;
    if (s === null) return null;
    t._sender = null;
    if (s._state !== S_SEND) return null;
    s._rv = undefined;
    s._throw = false;
    s._wake = W_HANDED_BACK;
    return s;
  }
}

/** The trace line for a task's end: `c1: abandoned: demo ended while it waited in recv`. */
function endLine(name: string, code: number, value: unknown): string {
  switch (code) {
    case S_DONE:
      return `${name}: done`;
    case S_KILLED:
      return `${name}: killed`;
    case S_ABANDONED:
      return `${name}: abandoned: ${errorMessage(value)}`;
    default:
      return `${name}: failed: ${errorMessage(value)}`;
  }
}
