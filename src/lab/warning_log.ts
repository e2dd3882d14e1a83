/**
 * Raises the hub's warnings on tasks and keeps the most recent ones: a step
 * that blocked the hub (timed by step_timing.ts), a task that did not yield,
 * and a task waiting far longer than its peers (`scanWaits`). The wording
 * and thresholds live in warnings.ts. A warning is one record per kind per
 * task: repeats update it instead of piling up.
 */
import type { GroupTable } from "./groups.ts";
import { S_IO, S_RECV, S_SWITCH, type Task } from "./task.ts";
import type { TaskRegistry } from "./task_registry.ts";
import {
  blockingText,
  noYieldText,
  SLOW_WAIT_FACTOR,
  SLOW_WAIT_MIN_MS,
  slowWaitText,
  type TaskWarning,
  type WarningKind,
} from "./warnings.ts";

const RECENT_WARNINGS = 64;

export interface WarningLogOptions {
  /** A step longer than this (real ms) is a blocking warning. */
  blockingMs: number;
  /** A step longer than this (real ms) is a "did not yield" warning. */
  noYieldMs: number;
  /** Hub ms per real ms (the clock's speed). */
  speed: number;
}

export class WarningLog {
  /** A step at least this long (real ms) is worth a `slowStep` call. */
  readonly blockingMs: number;
  readonly #noYieldMs: number;
  readonly #speed: number;
  /** Where the hub's scheduling events go (`warning c1: ...`), if traced. */
  trace: ((line: string) => void) | null = null;
  /** Called for every warning as it is raised. */
  onWarning: ((warning: TaskWarning) => void) | null = null;
  #recent: (TaskWarning | undefined)[] = new Array(RECENT_WARNINGS);
  #pos = 0;
  #count = 0;

  constructor(options: WarningLogOptions) {
    this.blockingMs = options.blockingMs;
    this.#noYieldMs = options.noYieldMs;
    this.#speed = options.speed;
  }

  /** Warning occurrences since the hub started. */
  get count(): number {
    return this.#count;
  }

  /** Most recent warnings, newest last. */
  recent(): TaskWarning[] {
    const out: TaskWarning[] = [];
    for (let i = 0; i < RECENT_WARNINGS; i++) {
      const w = this.#recent[(this.#pos + i) % RECENT_WARNINGS];
      if (w !== undefined) out.push(w);
    }
    return out;
  }

  /**
   * A step of `t` took `realMs` (at least `blockingMs`). Thresholds are in
   * real ms (what stalls the screen); figures in hub ms like the rest.
   */
  slowStep(t: Task, realMs: number, now: number): void {
    const ms = realMs * this.#speed;
    this.#raise(t, "blocking", ms, blockingText(ms), now);
    if (realMs >= this.#noYieldMs) this.#raise(t, "no-yield", ms, noYieldText(ms), now);
  }

  /**
   * Raises "waiting far longer than its peers" warnings (io, recv and switch
   * waits over SLOW_WAIT_MIN_MS and SLOW_WAIT_FACTOR times the group's typical
   * completed wait, in groups of at least 3 tasks).
   */
  scanWaits(tasks: TaskRegistry, groups: GroupTable, now: number): void {
    for (let t = tasks.first; t !== null; t = t._next) {
      // sleeping and joining are waits a task chose; io, mailbox and switch
      // waits depend on someone else, and those are the ones that get stuck
      const code = t._state;
      if (code !== S_IO && code !== S_RECV && code !== S_SWITCH) continue;
      if (t.idleWaits) continue; // a server waiting for its next client: normal
      const waited = now - t._since;
      if (waited < SLOW_WAIT_MIN_MS) continue;
      const g = groups.get(t.group);
      if (g === undefined || g.live < 3 || g.completedWaits < 3) continue;
      if (waited < SLOW_WAIT_FACTOR * g.typicalWaitMs) continue;
      this.#raise(t, "slow-wait", waited, slowWaitText(waited, g.typicalWaitMs, t.group), now);
    }
  }

  #raise(
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
    this.#count++;
    this.#recent[this.#pos] = w;
    this.#pos = (this.#pos + 1) % RECENT_WARNINGS;
    if (this.trace !== null) this.trace(`warning ${t.name}: ${w.summary}`);
    this.onWarning?.(w);
  }
}
