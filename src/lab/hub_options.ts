/** What a hub is configured with, what `spawn` takes, and the counters `stats()` returns. */
import type { Clock } from "./clock.ts";
import type { HubHeader } from "./protocol.ts";
import type { Task } from "./task.ts";
import type { TaskWarning } from "./warnings.ts";

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
  /**
   * Its waits are for someone outside to begin (a server's next client or
   * message): however long, never "far longer than its peers" (default false).
   */
  idleWaits?: boolean;
}

/** Counters for the hub header: the snapshot's header less the per-interval rates. */
export type HubStats = Omit<HubHeader, "switchesPerS" | "loopLagMs">;
