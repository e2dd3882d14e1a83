/**
 * What a hub task can yield (`sleep`, `wait`, `waitFor`, `recv`, `send`, `switchTo`,
 * `join`, `joinAll`). Each constructor fills in one shared, reused effect
 * object instead of allocating a new one: the hub reads it the moment
 * the generator yields, before any other code runs, so at ten million
 * switches a second there is no garbage per switch. The price: build the
 * effect in the `yield` expression itself (`yield sleep(10)`), never keep one
 * for later.
 */
import type { Task } from "./task.ts";

export const K_SLEEP = 1;
export const K_WAIT = 2;
export const K_RECV = 3;
export const K_SWITCH = 4;
export const K_JOIN = 5;
export const K_JOIN_ALL = 6;
export const K_SEND = 7;

/** The shared effect record (see the module comment). */
export interface Effect {
  kind: number;
  ms: number;
  task: Task | null;
  tasks: readonly Task[] | null;
  value: unknown;
  promise: Promise<unknown> | null;
  start: IoStart | null;
  label: string;
  holdClock: boolean;
}

/** What a task body returns: a generator yielding effects (or bare `yield`). */
export type TaskGen = Generator<Effect | undefined, unknown, unknown>;
/** A task body. */
export type TaskBody = (self: Task) => TaskGen;

/** The one effect object; the scheduler (scheduler.ts) compares yielded values against it. */
export const EFFECT: Effect = {
  kind: 0,
  ms: 0,
  task: null,
  tasks: null,
  value: undefined,
  promise: null,
  start: null,
  label: "",
  holdClock: true,
};

/** Sleeps `ms` hub milliseconds; `sleep(0)` is a cooperative yield. Resumes with undefined. */
export function sleep(ms: number): Effect {
  EFFECT.kind = K_SLEEP;
  EFFECT.ms = ms;
  return EFFECT;
}

/** Options for `wait()`. */
export interface WaitOptions {
  /**
   * Whether a virtual clock must wait for this promise before moving time on
   * (default true: real io finishes "instantly" in virtual time). Set false
   * when the promise itself waits on hub timers (the fetch demo's server
   * delays), or the clock could never advance.
   */
  holdClock?: boolean;
}

/**
 * Waits for any async operation (socket read, fetch, amqplib call). Resumes
 * with its value, or throws its error inside the task. `label` is shown as
 * the wait reason: `waiting(io:label)`.
 */
export function wait<T>(promise: Promise<T>, label: string, options?: WaitOptions): Effect {
  EFFECT.kind = K_WAIT;
  EFFECT.promise = promise;
  EFFECT.start = null;
  EFFECT.label = label;
  EFFECT.holdClock = options?.holdClock ?? true;
  return EFFECT;
}

/**
 * Starts io that reports its end through one of the two callbacks it is
 * given: `done(value)` or `failed(error)`, exactly one of them, once.
 */
export type IoStart = (done: (value: unknown) => void, failed: (error: unknown) => void) => void;

/**
 * `wait` for io that calls back instead of settling a promise: the hub
 * calls `start(done, failed)` once the task waits in `waiting(io:label)`,
 * and the task resumes with the value given to `done` or throws the error
 * given to `failed` (or thrown by `start`). A promise and a microtask less
 * per wait than `wait`, for io on the hot path (the async echo server's
 * round trip); keep `start` for the task's life rather than make one per wait.
 */
export function waitFor(start: IoStart, label: string, options?: WaitOptions): Effect {
  EFFECT.kind = K_WAIT;
  EFFECT.promise = null;
  EFFECT.start = start;
  EFFECT.label = label;
  EFFECT.holdClock = options?.holdClock ?? true;
  return EFFECT;
}

/** Takes the next message from this task's mailbox (`task.send(value)`), waiting if empty. */
export function recv(): Effect {
  EFFECT.kind = K_RECV;
  return EFFECT;
}

/**
 * Greenlet-style explicit switch: runs `task` now, handing it `value` (the
 * result of its own pending `switchTo`). The caller parks until something
 * switches back to it, and then resumes with that value. The target must be
 * new (not yet run) or parked in a `switchTo`.
 */
export function switchTo(task: Task, value?: unknown): Effect {
  EFFECT.kind = K_SWITCH;
  EFFECT.task = task;
  EFFECT.value = value;
  return EFFECT;
}

/**
 * The lesson's generator hand-off, Python's `consumer.send(value)`: gives
 * `value` to `task` and runs it at once, until it yields next (or ends);
 * then the sender resumes, with undefined. Nothing else runs in between:
 * `producer -> c1 -> producer`. The value arrives as the result of the
 * receiver's pending `recv()`; a new task (not run yet) runs from its start
 * and finds the value in its mailbox, as Python primes a generator and
 * sends. A receiver that is busy elsewhere (sleeping, in io, ready) gets the
 * value in its mailbox and the sender goes on without a switch. Sending to a
 * task that has ended throws in the sender, like Python's StopIteration.
 *
 * If the receiver switches away with `switchTo` instead of yielding, the
 * sender waits until the receiver is back and yields.
 */
export function send(task: Task, value: unknown): Effect {
  EFFECT.kind = K_SEND;
  EFFECT.task = task;
  EFFECT.value = value;
  return EFFECT;
}

/** Waits until `task` finishes; resumes with its return value (undefined if it failed). */
export function join(task: Task): Effect {
  EFFECT.kind = K_JOIN;
  EFFECT.task = task;
  return EFFECT;
}

/** Waits until every task has finished; resumes with their return values in order. */
export function joinAll(tasks: readonly Task[]): Effect {
  EFFECT.kind = K_JOIN_ALL;
  EFFECT.tasks = tasks;
  return EFFECT;
}
