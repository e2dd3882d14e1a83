/**
 * A lab as the app sees it, without a Worker: task rows, snapshots and an
 * app state that has received the lab's hello and one snapshot.
 */
import { type AppState, initialState } from "../../../src/app/model.ts";
import type { HubSnapshot, TaskRow } from "../../../src/lab/protocol.ts";
import { run } from "./run.ts";

export function task(id: number, name: string, over: Partial<TaskRow> = {}): TaskRow {
  return {
    id,
    name,
    group: "gevent",
    parentId: id === 1 ? 0 : 1,
    state: "waiting",
    wait: "sleep",
    waitLabel: null,
    stateText: "waiting(sleep)",
    stateForMs: 100,
    switches: 2,
    busyMs: 1,
    waitingMs: 99,
    busyPct: 1,
    ageMs: 1500,
    lastWake: "timer fired",
    warnings: 0,
    ...over,
  };
}

/** A snapshot of `rows` (all of them, from offset 0 unless `over` says otherwise). */
export function snapshot(rows: TaskRow[], over: Partial<HubSnapshot> = {}): HubSnapshot {
  return {
    seq: 1,
    sentAt: 0,
    paused: false,
    header: {
      clock: "real",
      nowMs: 2000,
      live: rows.length,
      ready: 0,
      running: 0,
      waiting: { sleep: rows.length, io: 0, recv: 0, join: 0, switch: 0, send: 0 },
      done: 0,
      failed: 0,
      killed: 0,
      abandoned: 0,
      spawned: rows.length,
      switches: 10,
      switchesPerS: 1234,
      loopLagMs: 2,
      timers: rows.length,
      warnings: 0,
    },
    groups: [],
    window: {
      request: {
        sort: "id",
        descending: false,
        filter: "",
        offset: 0,
        limit: 9,
        includeFinished: true,
        selectedId: null,
        lanes: { count: 0, windowMs: 5000, buckets: 10 },
      },
      total: rows.length,
      rows,
    },
    selected: null,
    lanes: { fromMs: 0, bucketMs: 500, buckets: 10, lanes: [] },
    warnings: { total: 0, recent: [] },
    demo: { name: "gevent", state: "running", startedAtMs: 0, error: null },
    output: { lines: ["12", "56"], dropped: 0, nextLine: 2 },
    ...over,
  };
}

export const DEMOS = [
  { name: "baozi", description: "hand-off" },
  { name: "blocking", description: "one task busy-waits" },
  { name: "gevent", description: "switching on sleep" },
];

/** The Coroutines panel with a running lab that sent `rows` (gevent's, by default). */
export function labState(
  rows: TaskRow[] = [task(1, "gevent", { stateText: "waiting(join)" }), task(2, "func1")],
  over: Partial<HubSnapshot> = {},
): AppState {
  return run(
    initialState({ panel: "coroutines" }),
    { type: "lab-started" },
    { type: "lab", message: { type: "hello", demos: DEMOS } },
    { type: "lab", message: { type: "snapshot", snapshot: snapshot(rows, over) } },
  );
}
