/**
 * The coroutine hub: a single-threaded scheduler for generator tasks with a
 * FIFO ready queue, a binary heap of timers and an injectable clock, and
 * instrumentation that is always on (per-task state, switches, busy and
 * waiting time, wake reasons, a ring of recent state changes; per-hub
 * counts, switches, loop lag; warnings).
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
} from "./effects.ts";
import {
  describeState,
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
  type TaskBody,
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
import { TimerHeap } from "./timer_heap.ts";
import {
  BLOCKING_MS,
  blockingText,
  NO_YIELD_MS,
  noYieldText,
  SLOW_WAIT_FACTOR,
  SLOW_WAIT_MIN_MS,
  slowWaitText,
  type TaskWarning,
  type WarningKind,
} from "./warnings.ts";
import { errorMessage } from "../util/error_message.ts";

/** Recent state changes kept per task (a power of two). */
export const RING = 16;
const RING_MASK = RING - 1;
/** Steps per clock read at most, when steps are fast. */
const MAX_STRIDE = 64;
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
/** Real ms a busy hub may go between turns that let timers fire (see #yieldToEventLoop). */
const TIMER_TURN_MS = 50;
const RECENT_WARNINGS = 64;

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

/** One entry of a task's recent state changes. */
export interface TaskEvent {
  atMs: number;
  /** State code (see task.ts). */
  code: number;
  /** `waiting(io:label)` style text. */
  text: string;
}

/** Per-group figures (peers for the slow-wait warning, counts for the UI). */
export interface GroupStats {
  name: string;
  live: number;
  /** Exponential average of completed waits (hub ms). */
  typicalWaitMs: number;
  completedWaits: number;
}

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

export class Hub {
  readonly clock: Clock;
  readonly #virtual: boolean;
  readonly #speed: number;
  readonly #blockingMs: number;
  readonly #noYieldMs: number;
  readonly #sliceMs: number;
  readonly #keepFinished: number;
  readonly #watch: Float64Array | null;
  /** Date.now() at hub time 0, for the watchdog. */
  readonly #epochBase: number;
  #trace: ((line: string) => void) | null;
  #onWarning: ((warning: TaskWarning) => void) | null;

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
  #liveHead: Task | null = null;
  #liveTail: Task | null = null;
  #live = 0;
  #counts = new Int32Array(9);
  #spawned = 0;
  #switches = 0;
  #groups = new Map<string, GroupStats>();
  #current: Task | null = null;
  #lastRan: Task | null = null;
  #now = 0;

  // step timing (see the module comment)
  #stride = 1;
  #batch: (Task | undefined)[] = new Array(MAX_STRIDE);
  #bn = 0;
  #batchStart = 0;
  #steps = 0;
  #overBudget = false;
  #sliceEndHub = 0;
  #sliceEndReal = 0;
  #lagMax = 0;
  #nextScanAt = 1000;

  // rings of recent state changes, one slot of RING entries per task
  #ringT = new Float64Array(RING * 256);
  #ringC = new Uint8Array(RING * 256);
  #ringL: (string | undefined)[] = [];
  #slotCap = 256;
  #slotNext = 0;
  #freeSlots: number[] = [];

  #finished: (Task | undefined)[];
  #finPos = 0;
  #warnings: (TaskWarning | undefined)[] = new Array(RECENT_WARNINGS);
  #warnPos = 0;
  #warnCount = 0;

  // driver
  #driving = false;
  #scheduled = false;
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | undefined = undefined;
  #timerAt = Infinity;
  #port: MessageChannel | null = null;
  #postedAt = 0;
  #lastTimerTurn = 0;
  #turnTimer: ReturnType<typeof setTimeout> | undefined = undefined;
  #idleWaiters: (() => void)[] = [];

  constructor(options: HubOptions = {}) {
    this.clock = options.clock ?? new RealClock();
    this.#virtual = this.clock.kind === "virtual";
    this.#speed = this.clock.speed;
    this.#blockingMs = options.blockingMs ?? BLOCKING_MS;
    this.#noYieldMs = options.noYieldMs ?? NO_YIELD_MS;
    this.#sliceMs = options.sliceMs ?? 20;
    this.#keepFinished = Math.max(1, options.keepFinished ?? 200);
    this.#finished = new Array(this.#keepFinished);
    this.#trace = options.trace ?? null;
    this.#onWarning = options.onWarning ?? null;
    this.#watch = options.watchdog ?? null;
    this.#epochBase = Date.now() - this.clock.now() / this.clock.speed;
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
  }

  set onWarning(fn: ((warning: TaskWarning) => void) | null) {
    this.#onWarning = fn;
  }

  // ---------------------------------------------------------------- public API

  /** Starts a task; it runs when its turn in the FIFO ready queue comes. */
  spawn(name: string, body: TaskBody, options: SpawnOptions = {}): Task {
    if (this.#closed) throw new Error(`Cannot spawn '${name}': the hub is closed`);
    const parent = options.parent === undefined ? this.#current : options.parent;
    const group = options.group ?? parent?.group ?? "main";
    if (!this.#driving) this.#now = this.clock.now();
    const t = new Task(
      this,
      this.#nextId++,
      name,
      group,
      parent?.id ?? 0,
      null,
      this.#now,
      this.#allocSlot(),
    );
    t._gen = body(t);
    // link into the live list
    if (this.#liveTail === null) this.#liveHead = t;
    else {
      this.#liveTail._next = t;
      t._prev = this.#liveTail;
    }
    this.#liveTail = t;
    this.#live++;
    this.#spawned++;
    this.#counts[S_READY]!++;
    const gs = this.#group(group);
    gs.live++;
    t._gs = gs;
    this.#record(t, S_READY);
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
    for (let t = this.#liveHead; t !== null;) {
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
    if (this.#turnTimer !== undefined) clearTimeout(this.#turnTimer);
    this.#turnTimer = undefined;
    this.#closePort();
    this.#resolveIdle();
  }

  stats(): HubStats {
    const c = this.#counts;
    return {
      clock: this.clock.kind,
      nowMs: this.clock.now(),
      live: this.#live,
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
      warnings: this.#warnCount,
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
    for (let t = this.#liveHead; t !== null; t = t._next) fn(t);
  }

  /** The most recently finished tasks, oldest first. */
  recentFinished(): Task[] {
    const out: Task[] = [];
    const n = this.#keepFinished;
    for (let i = 0; i < n; i++) {
      const t = this.#finished[(this.#finPos + i) % n];
      if (t !== undefined) out.push(t);
    }
    return out;
  }

  /** A live or recently finished task by id. */
  task(id: number): Task | undefined {
    for (let t = this.#liveHead; t !== null; t = t._next) if (t.id === id) return t;
    return this.#finished.find((t) => t?.id === id);
  }

  groups(): GroupStats[] {
    return [...this.#groups.values()];
  }

  /** Most recent warnings, newest last. */
  recentWarnings(): TaskWarning[] {
    const out: TaskWarning[] = [];
    for (let i = 0; i < RECENT_WARNINGS; i++) {
      const w = this.#warnings[(this.#warnPos + i) % RECENT_WARNINGS];
      if (w !== undefined) out.push(w);
    }
    return out;
  }

  /**
   * A task's recent state changes, oldest first (at most RING); empty for a
   * task that finished so long ago it is no longer kept.
   */
  events(t: Task): TaskEvent[] {
    const out: TaskEvent[] = [];
    if (t._slot < 0) return out;
    const n = Math.min(t._rpos, RING);
    const base = t._slot * RING;
    for (let k = t._rpos - n; k < t._rpos; k++) {
      const i = base + (k & RING_MASK);
      const code = this.#ringC[i]!;
      out.push({
        atMs: this.#ringT[i]!,
        code,
        text: describeState(code, code === S_IO ? this.#ringL[i] ?? "" : ""),
      });
    }
    return out;
  }

  /** How many of the task's kept state changes happened at or after `sinceMs` (no allocation). */
  eventsSince(t: Task, sinceMs: number): number {
    if (t._slot < 0) return 0;
    const n = Math.min(t._rpos, RING);
    const base = t._slot * RING;
    let count = 0;
    for (let k = t._rpos - 1; k >= t._rpos - n; k--) {
      if (this.#ringT[base + (k & RING_MASK)]! < sinceMs) break;
      count++;
    }
    return count;
  }

  /** How many state changes the task has had in total (the ring keeps the last RING). */
  eventCount(t: Task): number {
    return t._rpos;
  }

  /**
   * Raises "waiting far longer than its peers" warnings (io, recv and switch
   * waits over SLOW_WAIT_MIN_MS and SLOW_WAIT_FACTOR times the group's typical
   * completed wait, in groups of at least 3 tasks). Run by the hub once
   * per hub second while it is busy; telemetry calls it too, so a hub that
   * went quiet with a stuck task still reports it.
   */
  scanWaits(): void {
    const now = this.clock.now();
    for (let t = this.#liveHead; t !== null; t = t._next) {
      // sleeping and joining are waits a task chose; io, mailbox and switch
      // waits depend on someone else, and those are the ones that get stuck
      const code = t._state;
      if (code !== S_IO && code !== S_RECV && code !== S_SWITCH) continue;
      const waited = now - t._since;
      if (waited < SLOW_WAIT_MIN_MS) continue;
      const g = this.#groups.get(t.group);
      if (g === undefined || g.live < 3 || g.completedWaits < 3) continue;
      if (waited < SLOW_WAIT_FACTOR * g.typicalWaitMs) continue;
      this.#warn(t, "slow-wait", waited, slowWaitText(waited, g.typicalWaitMs, t.group), now);
    }
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

  #group(name: string): GroupStats {
    let g = this.#groups.get(name);
    if (g === undefined) {
      g = { name, live: 0, typicalWaitMs: 0, completedWaits: 0 };
      this.#groups.set(name, g);
    }
    return g;
  }

  #allocSlot(): number {
    const free = this.#freeSlots.pop();
    if (free !== undefined) return free;
    const slot = this.#slotNext++;
    if (slot >= this.#slotCap) {
      const cap = this.#slotCap * 2;
      const t = new Float64Array(cap * RING);
      t.set(this.#ringT);
      const c = new Uint8Array(cap * RING);
      c.set(this.#ringC);
      this.#ringT = t;
      this.#ringC = c;
      this.#slotCap = cap;
    }
    return slot;
  }

  #record(t: Task, code: number): void {
    const i = t._slot * RING + (t._rpos++ & RING_MASK);
    this.#ringT[i] = this.#now;
    this.#ringC[i] = code;
  }

  /** Moves `t` to state `code`, keeping counts, waiting time and the ring up to date. */
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
    const i = t._slot * RING + (t._rpos++ & RING_MASK);
    this.#ringT[i] = now;
    this.#ringC[i] = code;
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
    // unlink
    if (t._prev === null) this.#liveHead = t._next;
    else t._prev._next = t._next;
    if (t._next === null) this.#liveTail = t._prev;
    else t._next._prev = t._prev;
    t._prev = null;
    t._next = null;
    this.#live--;
    const g = t._gs;
    if (g !== null && --g.live === 0 && g.completedWaits === 0) this.#groups.delete(t.group);
    // keep it for the table; the task it replaces gives its ring slot back
    const old = this.#finished[this.#finPos];
    if (old !== undefined) {
      this.#freeSlots.push(old._slot);
      old._slot = -1; // its history is gone with the slot
    }
    this.#finished[this.#finPos] = t;
    this.#finPos = (this.#finPos + 1) % this.#keepFinished;
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

  #warn(
    t: Task,
    kind: WarningKind,
    valueMs: number,
    text: { summary: string; explanation: string },
    now: number,
  ): void {
    const list = (t._warnings ??= []);
    let w = list.find((x) => x.kind === kind);
    if (w === undefined) {
      w = { kind, taskId: t.id, taskName: t.name, atMs: now, count: 0, valueMs, ...text };
      list.push(w);
    }
    // a slow wait that is still going on is one occurrence, growing
    if (kind !== "slow-wait" || w.count === 0 || now - w.atMs > valueMs) w.count++;
    w.atMs = now;
    w.valueMs = valueMs;
    w.summary = text.summary;
    w.explanation = text.explanation;
    this.#warnCount++;
    this.#warnings[this.#warnPos] = w;
    this.#warnPos = (this.#warnPos + 1) % RECENT_WARNINGS;
    if (this.#trace !== null) this.#trace(`warning ${t.name}: ${w.summary}`);
    this.#onWarning?.(w);
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
    this.#now = clock.now();
    this.#batchStart = this.#now;
    this.#bn = 0;
    if (this.#watch !== null) this.#watch[0] = this.#epochBase + this.#now / this.#speed;
    this.#overBudget = false;
    this.#sliceEndHub = this.#now + this.#sliceMs * this.#speed;
    this.#sliceEndReal = performance.now() + this.#sliceMs;
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
            this.#batchStart = this.#now;
            if ((++this.#steps & 255) === 0 && performance.now() >= this.#sliceEndReal) {
              this.#overBudget = true;
              break;
            }
            continue;
          }
          break;
        }
        let n = this.#qSize;
        while (n-- > 0 && !this.#overBudget) {
          const t = this.#shift()!;
          if (--t._queued !== 0 || t._state !== S_READY) continue; // stale entry
          this.#run(t);
        }
        if (this.#overBudget) break;
        this.#now = clock.now();
        if (this.#now >= this.#nextScanAt) {
          this.#nextScanAt = this.#now + 1000;
          this.scanWaits();
        }
      }
    } finally {
      this.#flushTiming();
      this.#driving = false;
    }
    if (this.#closed) return;
    if (this.#overBudget) this.#yieldToEventLoop();
    else this.#settle();
  };

  /** Runs `first` and then, without going through the queue, each task it switches to. */
  #run(first: Task): void {
    let t: Task | null = first;
    const trace = this.#trace;
    const watch = this.#watch;
    while (t !== null) {
      if (trace !== null) {
        if (this.#lastRan !== t) trace(`switch ${this.#lastRan?.name ?? "hub"} -> ${t.name}`);
        this.#lastRan = t;
      }
      if (this.#stride === 1) {
        this.#now = this.clock.now();
        this.#batchStart = this.#now;
        if (watch !== null) watch[0] = this.#epochBase + this.#now / this.#speed;
      }
      this.#to(t, S_RUNNING);
      t._switches++;
      this.#switches++;
      this.#current = t;
      if (watch !== null) watch[1] = t.id;
      const gen: Generator<Effect | undefined, unknown, unknown> = t._gen!;
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
        this.#stepEnd(t);
        this.#finish(t, S_FAILED, t._killReq ? new TaskKilled(t.name) : error);
        t = null;
        continue;
      }
      this.#current = null;
      if (watch !== null) watch[1] = 0;
      this.#stepEnd(t);
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
      if (t !== null && this.#overBudget) {
        // a switch chain that outlived the slice continues in the next one
        this.#to(t, S_READY);
        t._wake = W_SLICE;
        t._queued++;
        this.#push(t);
        t = null;
      }
    }
  }

  /** Applies what `t` yielded; returns the task to run next without queueing, if any. */
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
        this.#ringL[t._slot * RING + ((t._rpos - 1) & RING_MASK)] = t._label;
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
      case K_SWITCH:
        return this.#switchEffect(t, v);
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

  #stepEnd(t: Task): void {
    this.#batch[this.#bn++] = t;
    if (this.#bn >= this.#stride) this.#flushTiming();
    else if (this.#virtual && (++this.#steps & 1023) === 0) {
      if (performance.now() >= this.#sliceEndReal) this.#overBudget = true;
    }
  }

  /** Attributes the time since the last read to the steps of the batch. */
  #flushTiming(): void {
    const n = this.#bn;
    if (n === 0) return;
    const now = this.clock.now();
    const dt = now - this.#batchStart;
    this.#now = now;
    this.#batchStart = now;
    this.#bn = 0;
    if (this.#watch !== null) this.#watch[0] = this.#epochBase + now / this.#speed;
    const batch = this.#batch;
    if (n === 1) {
      const t = batch[0]!;
      t._busy += dt;
      const real = dt / this.#speed;
      if (real >= this.#blockingMs) this.#stepWarnings(t, real, now);
    } else {
      const per = dt / n;
      for (let i = 0; i < n; i++) batch[i]!._busy += per;
      const real = dt / this.#speed;
      // a slow batch of fast steps: charge the last one (the stride drops to 1 right after)
      if (real >= this.#blockingMs) this.#stepWarnings(batch[n - 1]!, real, now);
    }
    if (!this.#virtual) {
      const perStep = dt / this.#speed / n;
      if (perStep < 0.002) {
        if (this.#stride < MAX_STRIDE) this.#stride <<= 1;
      } else if (perStep > 0.02) this.#stride = 1;
      if (now >= this.#sliceEndHub) this.#overBudget = true;
    } else if ((++this.#steps & 1023) === 0 && performance.now() >= this.#sliceEndReal) {
      this.#overBudget = true;
    }
  }

  /** Thresholds are in real ms (what stalls the screen); figures in hub ms like the rest. */
  #stepWarnings(t: Task, realMs: number, now: number): void {
    const ms = realMs * this.#speed;
    this.#warn(t, "blocking", ms, blockingText(ms), now);
    if (realMs >= this.#noYieldMs) this.#warn(t, "no-yield", ms, noYieldText(ms), now);
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

  /**
   * Lets the event loop run between slices. A message-port hop is the
   * cheapest, but Deno serves port messages ahead of timers: a hub that stays
   * busy would starve every setTimeout/setInterval around it (the lab
   * Worker's snapshot ticker among them). So at least every TIMER_TURN_MS the
   * hop goes through a timer instead.
   */
  #yieldToEventLoop(): void {
    this.#scheduled = true;
    this.#postedAt = this.clock.now();
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

  #resume = (): void => {
    this.#turnTimer = undefined;
    const lag = this.clock.now() - this.#postedAt;
    if (lag > this.#lagMax) this.#lagMax = lag;
    this.#drive();
  };

  #closePort(): void {
    if (this.#port === null) return;
    this.#port.port1.close();
    this.#port.port2.close();
    this.#port = null;
  }

  #settle(): void {
    // an open port would keep the process alive: only keep it while busy
    this.#closePort();
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
