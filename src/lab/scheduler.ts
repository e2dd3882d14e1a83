/**
 * The hub's hot path: resuming tasks and applying what they yield. The run
 * loop over a task and the tasks it switches or sends to, and the effects
 * (sleep, wait, recv, send, switchTo, join, joinAll), on top of
 * `SchedulerCore` (scheduler_core.ts: the ready ring and the instrumented
 * state transitions). `Hub` (hub.ts) builds on it: the public API, and when
 * the hub runs (the driver).
 *
 * Speed matters here (goal: >= 10M switches/s with instrumentation on), so
 * nothing on this path allocates: effects are one reused object, timers are
 * the tasks themselves, the state history is one slab of typed arrays, and
 * step timing reads the clock once per batch of fast steps
 * (step_timing.ts). V8 inlines small methods only: switchTo has its own.
 */
import {
  EFFECT,
  type Effect,
  K_JOIN,
  K_JOIN_ALL,
  K_RECV,
  K_SEND,
  K_SLEEP,
  K_SWITCH,
  K_WAIT,
} from "./effects.ts";
import { SchedulerCore } from "./scheduler_core.ts";
import {
  S_DONE,
  S_FAILED,
  S_IO,
  S_JOIN,
  S_READY,
  S_RECV,
  S_RUNNING,
  S_SEND,
  S_SLEEP,
  S_SWITCH,
  type Task,
  W_IO,
  W_IO_ERROR,
  W_MESSAGE,
  W_SLICE,
  W_SWITCH,
  W_YIELD,
} from "./task.ts";

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

export abstract class Scheduler extends SchedulerCore {
  #lastRan: Task | null = null;

  // ----------------------------------------------------------------- run loop

  /**
   * Runs `first` and then, without going through the queue, each task it
   * switches or sends to, and a sender again once its receiver yields.
   */
  protected _run(first: Task): void {
    let t: Task | null = first;
    const trace = this._trace;
    const watch = this._watch;
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
        // killed or abandoned during its own step: that end wins over what it threw
        const sender = this._takeSender(t);
        if (t._endReq !== 0) this._finish(t, t._endReq, t._error);
        else this._finish(t, S_FAILED, error);
        t = sender;
        continue;
      }
      this._current = null;
      if (watch !== null) watch[1] = 0;
      if (timing.stepEnd(t)) this._now = timing.now;
      if (t._endReq !== 0) {
        t._gen = null;
        try {
          gen.return(undefined);
        } catch {
          // dying anyway
        }
        const sender = this._takeSender(t);
        this._finish(t, t._endReq, t._error);
        t = sender;
        continue;
      }
      if (r.done === true) {
        // a receiver that returns gives control straight back to its sender
        const sender = this._takeSender(t);
        this._finish(t, S_DONE, r.value);
        t = sender;
        continue;
      }
      const stepped: Task = t;
      try {
        // switchTo gets its own small method: the general one is too big for
        // V8 to inline, and a switch chain calls it once per switch.
        const e: Effect | undefined = r.value;
        if (e === EFFECT && e.kind === K_SWITCH) t = this.#switchEffect(stepped, e);
        else {
          t = this.#effect(stepped, e);
          // a receiver of send() that gave up the hub hands it back to its sender
          if (t === null && stepped._sender !== null) t = this._takeSender(stepped);
        }
      } catch (error) {
        // a malformed effect (switchTo(undefined), joinAll(3)) fails its task, not the hub
        const sender = this._takeSender(stepped);
        if (!stepped.finished) this._finish(stepped, S_FAILED, error);
        t = sender;
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
        const promise = v.promise;
        const start = v.start;
        const hold = v.holdClock;
        v.promise = null;
        v.start = null;
        t._label = v.label;
        this._to(t, S_IO);
        this._history.labelLast(t, t._label);
        this._ioWaits++;
        t._holding = hold;
        if (hold) this._ioHolds++;
        if (this._trace !== null) this._trace(`${t.name}: wait io ${t._label}`);
        // the task's own settle handlers, made once: no closures per wait
        if (t._ioDone === null) this.#ioHandlers(t);
        if (start === null) Promise.resolve(promise).then(t._ioDone, t._ioFailed);
        else {
          try {
            start(t._ioDone!, t._ioFailed!);
          } catch (error) {
            t._ioFailed!(error); // thrown inside the task, as a rejected wait would be
          }
        }
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
      case K_SEND: {
        const target = v.task!;
        const value = v.value;
        v.task = null;
        v.value = undefined;
        return this.#send(t, target, value);
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

  /**
   * send(): hands `value` to `target` and returns it to run now, parking `t`
   * until it yields (see `send` in effects.ts); `t` itself when the value
   * only goes to the mailbox, or with an error to throw.
   */
  #send(t: Task, target: Task, value: unknown): Task {
    if (target.hub !== this || target.finished) {
      t._rv = new Error(
        target.hub !== this
          ? `Cannot send to '${target.name}': it is on another hub`
          : `Cannot send to '${target.name}': it has ended (${target.state})`,
      );
      t._throw = true;
      return t;
    }
    const code = target._state;
    const fresh = code === S_READY && target._switches === 0;
    if (target === t || (code !== S_RECV && !fresh)) {
      // busy elsewhere: the value waits in its mailbox, the sender goes on
      (target._mailbox ??= []).push(value);
      t._rv = undefined;
      return t;
    }
    this._to(t, S_SEND);
    if (this._trace !== null) this._trace(`${t.name}: send to ${target.name}`);
    if (fresh) {
      // it runs from its start and takes the value with its first recv()
      (target._mailbox ??= []).push(value);
      target._rv = undefined;
    } else {
      target._rv = value; // from waiting(recv) straight to running, as with switchTo
      target._wake = W_MESSAGE;
    }
    target._throw = false;
    target._sender = t;
    // a fresh target's queue entry goes stale: it runs now instead
    return target;
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

  /**
   * Gives `t` the two handlers every wait of its settles through (`wait`'s
   * promise, `waitFor`'s callbacks). A task leaves `waiting(io)` only when
   * its wait settles (once) or when it ends (kill, abandon, hub closed), so
   * a settle that finds it out of io is stale: a wait its end cut short.
   */
  #ioHandlers(t: Task): void {
    t._ioDone = (value) => this.#ioDone(t, value, false);
    t._ioFailed = (error) => this.#ioDone(t, error, true);
  }

  #ioDone(t: Task, value: unknown, isError: boolean): void {
    if (t._state !== S_IO || this._closed) return;
    this._ioWaits--;
    if (t._holding) this._ioHolds--;
    t._holding = false;
    this._wake(t, isError ? W_IO_ERROR : W_IO, value, isError);
  }
}
