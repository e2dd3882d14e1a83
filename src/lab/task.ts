/**
 * One coroutine on the hub. Fields starting with `_` belong to the hub
 * (`scheduler.ts` drives them on the hot path, where getters and private-field
 * indirection would cost); read the public getters instead.
 *
 * A task knows its hub only as a `TaskHost` (the two calls it makes), so
 * this file imports neither the hub nor the effects.
 */
import type { GroupStats } from "./groups.ts";
import type { TaskStateName, WaitKind } from "./protocol.ts";
import type { TaskWarning } from "./warnings.ts";
import { errorMessage } from "../util/error_message.ts";

// State codes, small integers so the ring of recent states is a typed array.
export const S_READY = 0;
export const S_RUNNING = 1;
export const S_SLEEP = 2;
export const S_IO = 3;
export const S_RECV = 4;
export const S_JOIN = 5;
export const S_SWITCH = 6;
export const S_SEND = 7;
// The end states, all >= S_DONE: how a task ended is part of what it teaches.
/** Its body returned. */
export const S_DONE = 8;
/** Its body threw (an exception, a bad effect): the only end that is a failure. */
export const S_FAILED = 9;
/** A person ended it (`kill-task`). */
export const S_KILLED = 10;
/**
 * Its program ended around it while it still waited (baozi's consumers left
 * in `recv`, greenlet's `gr1` parked in a switch), as Python leaves a
 * suspended generator when the program ends: not a failure.
 */
export const S_ABANDONED = 11;
/** How many state codes there are (the hub's per-state counts). */
export const STATE_COUNT = 12;

const STATE_NAMES: readonly TaskStateName[] = [
  "ready",
  "running",
  "waiting",
  "waiting",
  "waiting",
  "waiting",
  "waiting",
  "waiting",
  "done",
  "failed",
  "killed",
  "abandoned",
];
const WAIT_KINDS: readonly (WaitKind | null)[] = [
  null,
  null,
  "sleep",
  "io",
  "recv",
  "join",
  "switch",
  "send",
  null,
  null,
  null,
  null,
];

/** What a waiting task waits in, as a person reads it: "recv", "switchTo", "io GET /a". */
const WAIT_PHRASES: Record<WaitKind, string> = {
  sleep: "sleep",
  io: "io",
  recv: "recv",
  join: "join",
  switch: "switchTo",
  send: "send",
};

export function stateName(code: number): TaskStateName {
  return STATE_NAMES[code] ?? "failed";
}

/** True for the waiting states (S_SLEEP ... S_SEND). */
export function isWaiting(code: number): boolean {
  return code >= S_SLEEP && code <= S_SEND;
}

/**
 * Why a task is abandoned, from what ends around it (`demo ended`) and the
 * state it was in: "demo ended while it waited in recv".
 */
export function abandonReason(why: string, code: number, label: string): string {
  const kind = waitKind(code);
  if (kind === null) return `${why} while it was ${stateName(code)}`;
  const what = kind === "io" ? `io ${label}` : WAIT_PHRASES[kind];
  return `${why} while it waited in ${what}`;
}

export function waitKind(code: number): WaitKind | null {
  return WAIT_KINDS[code] ?? null;
}

/** `waiting(io:GET /a)`, `ready`, ... as the issue spells states. */
export function describeState(code: number, label: string): string {
  const kind = waitKind(code);
  if (kind === null) return stateName(code);
  return kind === "io" ? `waiting(io:${label})` : `waiting(${kind})`;
}

// Wake reasons.
export const W_SPAWN = 0;
export const W_TIMER = 1;
export const W_IO = 2;
export const W_IO_ERROR = 3;
export const W_MESSAGE = 4;
export const W_SWITCH = 5;
export const W_JOINED = 6;
export const W_YIELD = 7;
export const W_SLICE = 8;
export const W_HANDED_BACK = 9;

const WAKE_NAMES = [
  "spawned",
  "timer fired",
  "io completed",
  "io failed",
  "message received",
  "switched to",
  "joined task finished",
  "cooperative yield",
  "time slice ended",
  "receiver yielded",
];

export function wakeName(code: number): string {
  return WAKE_NAMES[code] ?? "unknown";
}

/** What a task needs of the hub it runs on (the hub implements it). */
export interface TaskHost {
  /** Hub time in ms. */
  now(): number;
  /** @internal `task.send(value)` */
  _deliver(t: Task, value: unknown): void;
}

/** What `Hub.spawn` gives a new task. */
export interface TaskOptions {
  hub: TaskHost;
  id: number;
  name: string;
  group: string;
  /** 0 when it has no parent. */
  parentId: number;
  /** Hub time of the spawn. */
  now: number;
  /** Its slot in the hub's state history. */
  slot: number;
  /** See `SpawnOptions.idleWaits`. */
  idleWaits?: boolean;
}

/** What `warnings` returns for a task without any (shared: telemetry reads it per row). */
const NO_WARNINGS: readonly TaskWarning[] = Object.freeze([]);

/** Kept as the error of a killed task. */
export class TaskKilled extends Error {
  constructor(name: string) {
    super(`task '${name}' was killed`);
    this.name = "TaskKilled";
  }
}

/** Kept as the end reason of an abandoned task (see S_ABANDONED); not a failure. */
export class TaskAbandoned extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = "TaskAbandoned";
  }
}

export class Task {
  // Every number field starts as a number: a field first defined as
  // undefined holds later doubles as boxed heap numbers, one allocation per
  // write on the switch path (about a fifth of the time of a switch).
  // The fields each switch or io wait touches come first, side by side: with
  // a thousand tasks, a task that wakes is mostly out of the cache, and every
  // cache line of it costs.

  /** @internal */ _state = S_READY;
  /** @internal */ _queued = 0;
  /** @internal the body's generator (it yields effects, see effects.ts) */ _gen:
    | Generator<unknown, unknown, unknown>
    | null = null;
  /** @internal resume value, or error when `_throw` */ _rv: unknown = undefined;
  /** @internal */ _throw = false;
  /** @internal */ _wake = W_SPAWN;
  /** @internal hub time of the last state change */ _since = 0;
  /** @internal */ _waited = 0;
  /** @internal */ _busy = 0;
  /** @internal */ _switches = 0;
  /** @internal ring slot of recent state changes */ _slot = 0;
  /** @internal */ _rpos = 0;
  /** @internal this task's group figures (looked up once, not per wake) */ _gs: GroupStats | null =
    null;
  /**
   * @internal the settle handlers of its io waits, made at its first wait and
   * kept (a settle that finds the task no longer in io is stale: see scheduler.ts)
   */
  _ioDone: ((value: unknown) => void) | null = null;
  /** @internal */ _ioFailed: ((error: unknown) => void) | null = null;
  /** @internal */ _holding = false;
  /**
   * @internal 0, or the end (S_KILLED, S_ABANDONED) asked for during the
   * task's own step; its reason waits in `_error`
   */
  _endReq = 0;
  /** @internal the task parked in `send()` to it, resumed when this one yields next */ _sender:
    | Task
    | null = null;
  /** @internal io label */ _label = "";

  readonly id: number;
  readonly name: string;
  readonly group: string;
  readonly parentId: number;
  readonly hub: TaskHost;
  /** Long waits are normal for it (a server waiting for clients): no slow-wait warning. */
  readonly idleWaits: boolean;

  /** @internal */ _spawnedAt = 0;
  /** @internal */ _endedAt = -1;
  /** @internal timer deadline and sequence (FIFO among equal deadlines) */ _at = 0;
  /** @internal */ _tseq = 0;
  /** @internal */ _mailbox: unknown[] | null = null;
  /** @internal */ _mhead = 0;
  /** @internal tasks waiting in join/joinAll on this one */ _joiners: Task[] | null = null;
  /** @internal pending joinAll count */ _joinLeft = 0;
  /** @internal */ _joinTargets: readonly Task[] | null = null;
  /** @internal live list */ _prev: Task | null = null;
  /** @internal */ _next: Task | null = null;
  /** @internal */ _warnings: TaskWarning[] | null = null;
  /** @internal */ _result: unknown = undefined;
  /** @internal */ _error: unknown = undefined;
  /** @internal */ _doneWaiters: (() => void)[] | null = null;

  /** @internal created by `Hub.spawn` only */
  constructor(options: TaskOptions) {
    this.hub = options.hub;
    this.id = options.id;
    this.name = options.name;
    this.group = options.group;
    this.parentId = options.parentId;
    this.idleWaits = options.idleWaits ?? false;
    this._since = options.now;
    this._spawnedAt = options.now;
    this._slot = options.slot;
  }

  /** Puts `value` in this task's mailbox (the lesson's `send()`), waking it if it waits in `recv()`. */
  send(value: unknown): void {
    this.hub._deliver(this, value);
  }

  get state(): TaskStateName {
    return stateName(this._state);
  }

  get waitKind(): WaitKind | null {
    return waitKind(this._state);
  }

  /** `waiting(io:label)` style description. */
  get stateText(): string {
    return describeState(this._state, this._label);
  }

  get finished(): boolean {
    return this._state >= S_DONE;
  }

  get switches(): number {
    return this._switches;
  }

  /** Milliseconds spent running (hub time). */
  get busyMs(): number {
    return this._busy;
  }

  /** Milliseconds spent waiting, including the current wait. */
  get waitingMs(): number {
    return this.waitedBy(this.hub.now());
  }

  /** Milliseconds spent waiting up to hub time `now`, including the current wait. */
  waitedBy(now: number): number {
    const code = this._state;
    return this._waited + (isWaiting(code) ? now - this._since : 0);
  }

  /** The state code (S_READY ...): the order of states, cheaper to compare than names. */
  get stateCode(): number {
    return this._state;
  }

  /** Hub time of the last state change. */
  get stateSinceMs(): number {
    return this._since;
  }

  /** Hub time of the spawn. */
  get spawnedAtMs(): number {
    return this._spawnedAt;
  }

  /** Hub time it finished, or null while it lives. */
  get endedAtMs(): number | null {
    return this._endedAt >= 0 ? this._endedAt : null;
  }

  /** The label of the io it waits on (`waiting(io:label)`), else null. */
  get waitLabel(): string | null {
    return this._state === S_IO ? this._label : null;
  }

  get lastWake(): string {
    return wakeName(this._wake);
  }

  get result(): unknown {
    return this._result;
  }

  /** What a failed task threw, or the `TaskKilled` of a killed one; else undefined. */
  get error(): unknown {
    return this._state === S_FAILED || this._state === S_KILLED ? this._error : undefined;
  }

  /**
   * Why a task that did not finish on its own ended, in words: the error of
   * a failed one, "killed" for a killed one, "demo ended while it waited in
   * recv" for an abandoned one; null while it lives or when it is done.
   */
  get endReason(): string | null {
    const code = this._state;
    if (code <= S_DONE) return null;
    return errorMessage(this._error);
  }

  get warnings(): readonly TaskWarning[] {
    return this._warnings ?? NO_WARNINGS;
  }

  /** Resolves once the task has ended, whichever way (never rejects). */
  whenFinished(): Promise<Task> {
    if (this.finished) return Promise.resolve(this);
    return new Promise((resolve) => {
      (this._doneWaiters ??= []).push(() => resolve(this));
    });
  }
}
