/**
 * Messages between the UI thread and the `lab` Worker (types only: this file
 * imports only its sockets part, types too, so both sides can use it without
 * pulling in the other).
 *
 * The lab posts a `hello`, then coalesced `snapshot`s: at most 10 per second
 * (fewer when building one is expensive, e.g. 100k rows sorted by name, so
 * telemetry stays under ~20% of the Worker's time), only when something changed, and at least one per second as a heartbeat
 * (a UI that sees none for over a second can say the lab is blocked: a
 * blocking step in a coroutine freezes the whole Worker, telemetry included).
 * A snapshot's size is bounded whatever the number of tasks: exact counts,
 * plus only the rows, detail and lanes the UI asked for with `set-view`.
 *
 * The sockets part's types are in `sockets_protocol.ts`, the RabbitMQ
 * actors' in `mq_protocol.ts` (both re-exported here).
 *
 * Times: `*Ms` fields are hub milliseconds (the hub's clock; real time in the
 * Worker). `atMs` values are hub times, comparable with `header.nowMs`.
 */
import type { SocketsSnapshot, SocketsViewRequest } from "./sockets_protocol.ts";
import type { MqCommand, MqSnapshot } from "./mq_protocol.ts";
export type * from "./sockets_protocol.ts";
export type * from "./mq_protocol.ts";

/**
 * The coarse state shown in the task table. The four ends: `done` (its body
 * returned), `failed` (it threw: the only failure), `killed` (a person killed
 * it with `kill-task`), `abandoned` (its program ended while it still waited,
 * as Python leaves a suspended generator; see `TaskDetail.endReason`).
 */
export type TaskStateName =
  | "ready"
  | "running"
  | "waiting"
  | "done"
  | "failed"
  | "killed"
  | "abandoned";
/**
 * Why a waiting task waits; `switch`: parked in a greenlet-style switchTo;
 * `send`: handed a value to a task with `send()`, which runs until it yields.
 */
export type WaitKind = "sleep" | "io" | "recv" | "join" | "switch" | "send";
export type WarningKind = "blocking" | "no-yield" | "slow-wait";

export type TaskSortKey =
  | "id"
  | "name"
  | "group"
  | "state"
  | "switches"
  | "busy"
  | "age"
  | "wait"
  | "warnings";

/** What the UI wants to see; sent (partially) with `set-view`, echoed in each snapshot. */
export interface TaskViewRequest {
  /** Table order; ties are broken by id. Default "id". */
  sort: TaskSortKey;
  descending: boolean;
  /** Case-insensitive substring of name, group or state text; `#12` matches id 12. */
  filter: string;
  /** First matching row to send (0-based) and how many (at most 500). */
  offset: number;
  limit: number;
  /** Include recently finished tasks (the last 200) in the table. Default true. */
  includeFinished: boolean;
  /** Task whose detail is sent, or null. */
  selectedId: number | null;
  /**
   * A task to keep in view when the order changes (a new sort): the lab
   * finds its place in the new order, moves the window there and says where
   * (`TaskWindow.anchorIndex`), so the selection stays on the same task.
   */
  anchorId?: number | null;
  /** Timeline lanes: the selected task first, then the most active ones. */
  lanes: {
    /** How many lanes (0..32). */
    count: number;
    /** How far back the lanes reach (hub ms). */
    windowMs: number;
    /** Samples per lane (1..240), one character each. */
    buckets: number;
  };
}

/** Hub header figures (exact, whatever the number of tasks). */
export interface HubHeader {
  clock: "real" | "virtual";
  nowMs: number;
  live: number;
  ready: number;
  running: number;
  waiting: {
    sleep: number;
    io: number;
    recv: number;
    join: number;
    switch: number;
    send: number;
  };
  /** Totals since the hub started, one per way of ending. */
  done: number;
  failed: number;
  killed: number;
  abandoned: number;
  spawned: number;
  switches: number;
  /** Over the interval since the previous snapshot. */
  switchesPerS: number;
  /** Worst timer lateness since the previous snapshot (ms): how late the hub ran things. */
  loopLagMs: number;
  timers: number;
  /** Warning occurrences since the hub started. */
  warnings: number;
}

/** One row of the task table. */
export interface TaskRow {
  id: number;
  name: string;
  group: string;
  /** 0 when it has no parent. */
  parentId: number;
  state: TaskStateName;
  wait: WaitKind | null;
  /** The io label for `waiting(io:label)`, else null. */
  waitLabel: string | null;
  /** `ready`, `waiting(io:GET /a)`, ... as the issue spells states. */
  stateText: string;
  /** How long it has been in its current state. */
  stateForMs: number;
  /** Times it was resumed. */
  switches: number;
  busyMs: number;
  waitingMs: number;
  /** busyMs / ageMs * 100. */
  busyPct: number;
  ageMs: number;
  /** e.g. "timer fired", "message received", "switched to", "io completed". */
  lastWake: string;
  /** Number of warning kinds raised on this task (details in TaskDetail). */
  warnings: number;
}

export interface TaskEventRow {
  atMs: number;
  state: TaskStateName;
  /** `waiting(sleep)`, `running`, ... */
  text: string;
}

export interface WarningRow {
  kind: WarningKind;
  taskId: number;
  taskName: string;
  /** Latest occurrence. */
  atMs: number;
  count: number;
  /** The measured figure (ms). */
  valueMs: number;
  /** One line for lists. */
  summary: string;
  /** Plain-language explanation for the detail view. */
  explanation: string;
}

/** Everything the detail view (Enter) shows for the selected task. */
export interface TaskDetail {
  task: TaskRow;
  parent: { id: number; name: string } | null;
  /** Live or recently finished children, first 50; `childCount` counts all of those. */
  children: { id: number; name: string; stateText: string }[];
  childCount: number;
  /** Recent state changes, oldest first (the hub keeps the last 16). */
  events: TaskEventRow[];
  /** How many state changes there were in total. */
  eventCount: number;
  warnings: WarningRow[];
  /** For failed tasks: the error message. */
  error: string | null;
  /**
   * For killed and abandoned tasks: why they ended ("task 'x' was killed",
   * "demo ended while it waited in recv").
   */
  endReason: string | null;
  /** For done tasks: the return value, shortened. */
  result: string | null;
}

/**
 * One character per time bucket, oldest first:
 * `R` ran during the bucket, `r` ready (queued, not run), `w` waiting,
 * `x` finished in this bucket, ` ` not alive, `?` older than the history kept.
 */
export type LaneSample = "R" | "r" | "w" | "x" | " " | "?";

export interface Lane {
  id: number;
  name: string;
  /** `buckets` characters, each a LaneSample. */
  samples: string;
}

export interface LaneView {
  /** Hub time of the start of the first bucket. */
  fromMs: number;
  bucketMs: number;
  buckets: number;
  lanes: Lane[];
}

/** The rows the UI asked for. */
export interface TaskWindow {
  request: TaskViewRequest;
  /** Matching tasks in total (live plus kept finished ones when included). */
  total: number;
  rows: TaskRow[];
  /** Where the requested anchor task is in the order, when one was asked for and still matches. */
  anchorIndex?: number;
}

export interface DemoStatus {
  name: string;
  state: "running" | "done" | "failed" | "stopped";
  startedAtMs: number;
  error: string | null;
}

export interface HubSnapshot {
  /** Increases by one per snapshot. */
  seq: number;
  /** Date.now() in the Worker when posted. */
  sentAt: number;
  /** True while the UI asked to pause (then only heartbeats with no rows are sent). */
  paused: boolean;
  header: HubHeader;
  /** Groups with their live task counts, largest first (at most 20). */
  groups: { name: string; live: number }[];
  window: TaskWindow;
  selected: TaskDetail | null;
  lanes: LaneView;
  warnings: { total: number; recent: WarningRow[] };
  demo: DemoStatus | null;
  /**
   * Demo output since the previous snapshot (at most 200 lines; `dropped`
   * says how many were skipped when a demo printed faster). `nextLine` is
   * the number of lines printed so far.
   */
  output: { lines: string[]; dropped: number; nextLine: number };
  /** Echo servers, load and comparison; absent until the first `serve` or `compare`. */
  sockets?: SocketsSnapshot;
  /** RabbitMQ actors; absent until the first `mq-*` command. */
  mq?: MqSnapshot;
}

export interface DemoInfo {
  name: string;
  description: string;
}

/** UI -> lab. */
export type LabCommand =
  /** Runs a lesson demo on the lab's hub (stopping a running one first). */
  | { type: "run-demo"; name: string; trace?: boolean }
  /** Kills the running demo's tasks. */
  | { type: "stop-demo" }
  /** Kills one task (the UI asks for confirmation first). */
  | { type: "kill-task"; id: number }
  /** Forgets the finished tasks kept for the table (live tasks and totals stay). */
  | { type: "clear-finished" }
  /** Changes what the snapshots carry; unspecified fields keep their value. */
  | { type: "set-view"; view: Partial<TaskViewRequest> }
  /** Pauses the display: snapshots become header-only heartbeats; the hub keeps running. */
  | { type: "pause"; paused: boolean }
  /** Spawns `tasks` sleeping tasks in group "stress" (trying the panel at scale); 0 kills them. */
  | { type: "stress"; tasks: number }
  /** Starts an echo server on 127.0.0.1: `port` absent: 8001 (a free one if taken), 0: a free one. */
  | { type: "serve"; model: string; port?: number }
  /** Starts `connections` load clients against the shown server (one load at a time). */
  | { type: "load"; connections: number; size?: number; ratePerS?: number }
  /** Stops the server, `load` or `compare` so named; absent: all of them (every socket closed). */
  | { type: "stop-socket"; name?: string }
  /** The same load against each model in turn, then one row each. */
  | { type: "compare"; connections: number }
  /** Changes what the sockets part of snapshots carries; unspecified fields keep their value. */
  | { type: "sockets-view"; view: Partial<SocketsViewRequest> }
  /** RabbitMQ actors and scenarios (`mq_protocol.ts`). */
  | MqCommand
  /** Stops the hub and closes the Worker. */
  | { type: "shutdown" };

/** lab -> UI. */
export type LabMessage =
  /**
   * `watchdog`: 2 Float64s the lab writes while it runs steps, readable
   * while the lab is stuck (`new Float64Array(watchdog)`): [0] Date.now() ms
   * when the current step began, [1] the running task's id or 0. If [1] is
   * not 0 and Date.now() - [0] > 1000, that task has not yielded for that
   * long (and no snapshot can arrive until it does). The lab always sends
   * it; optional so fakes in tests need not.
   */
  | { type: "hello"; demos: DemoInfo[]; watchdog?: SharedArrayBuffer }
  | { type: "snapshot"; snapshot: HubSnapshot }
  | { type: "reply"; command: LabCommand["type"]; ok: boolean; message: string }
  /**
   * A bug in the lab (an uncaught error or unhandled rejection in the
   * Worker), caught so it neither prints over the dashboard nor kills the
   * Worker; the lab keeps serving. `message` is the error's message.
   */
  | { type: "lab-error"; message: string };
