/**
 * The Coroutines panel's state and keys. The task table is a window the lab
 * Worker fills: the panel says which rows it wants (sort, filter, offset,
 * page size, selected task) with `set-view`, and each snapshot brings exactly
 * those rows plus exact counts, so 100k tasks cost the UI one page.
 */
import type { Rect } from "../tui/buffer.ts";
import { splitCols, splitRows } from "../tui/layout.ts";
import { LogRing } from "../tui/widgets/log_view.ts";
import type {
  DemoInfo,
  HubSnapshot,
  LabCommand,
  TaskSortKey,
  TaskViewRequest,
} from "../lab/protocol.ts";

/** In the table's column order, so `<` and `>` move the sort left and right. */
export const SORT_KEYS: readonly TaskSortKey[] = [
  "id",
  "name",
  "group",
  "state",
  "switches",
  "busy",
  "wait",
  "age",
  "warnings",
];

export interface CoroutinesState {
  /** Absolute index of the selected row among all matching tasks. */
  selected: number;
  sort: TaskSortKey;
  descending: boolean;
  /** Enter opens the selected task's detail; Esc closes it. */
  detail: boolean;
  /** How far the detail is scrolled down (rows). */
  detailOffset: number;
  /** Space freezes the display; the hub keeps running. */
  paused: boolean;
  /** The latest snapshot from the lab, if one arrived. */
  snapshot?: HubSnapshot;
  demos: readonly DemoInfo[];
  /** Demo output, appended as snapshots arrive (owned by this state, append-only). */
  output: LogRing;
  /** The last view request sent, so an unchanged view is not sent again. */
  sentView?: TaskViewRequest;
  /** A task that has not yielded for over a second (read from the lab's watchdog). */
  stuck?: StuckTask;
  /**
   * The selected task while the order changes: the lab says where it went
   * (`window.anchorIndex`) and the selection follows it, as htop's does.
   */
  anchorId?: number;
  /**
   * A demo just started from the panel whose main task the selection moves
   * to once a snapshot shows it (demo_follow.ts): `after` is the previous
   * run's start, so that run's rows are not mistaken for the new one's.
   */
  follow?: { name: string; after: number | null; jumped: boolean };
  /** A row to show at the top of the table (a new demo's main task), once. */
  scrollTop?: number;
}

export interface StuckTask {
  taskId: number;
  /** Rounded down to 100 ms so the screen changes at most ten times a second. */
  forMs: number;
}

/** How long a step may run before the panel calls its task stuck. */
export const STUCK_AFTER_MS = 1000;

/**
 * Reads the lab's watchdog: [0] Date.now() when the running step began,
 * [1] the running task's id (0 when none runs).
 */
export function stuckTask(watchdog: Float64Array, nowMs: number): StuckTask | null {
  const since = watchdog[0] ?? 0;
  const taskId = watchdog[1] ?? 0;
  const forMs = nowMs - since;
  if (taskId === 0 || forMs <= STUCK_AFTER_MS) return null;
  return { taskId, forMs: Math.floor(forMs / 100) * 100 };
}

export function initialCoroutines(): CoroutinesState {
  return {
    selected: 0,
    sort: "id",
    descending: false,
    detail: false,
    detailOffset: 0,
    paused: false,
    demos: [],
    output: new LogRing(500),
  };
}

/** Where the panel's parts go inside the panel's inner area (shared by view and update). */
export interface CoroutinesLayout {
  header: Rect;
  table: Rect;
  lanes: Rect;
  output: Rect;
}

/** Half the panel for the table; below it timeline lanes and demo output side by side. */
export function coroutinesLayout(area: Rect): CoroutinesLayout {
  const [header, table, bottom] = splitRows(area, [
    { fixed: 1 },
    { percent: 50 },
    { fill: 1 },
  ]) as [Rect, Rect, Rect];
  const [lanes, output] = splitCols(bottom, [{ percent: 45 }, { fill: 1 }]) as [Rect, Rect];
  return { header, table, lanes, output };
}

/** Rows of the table that fit between its header and its footer. */
export function pageSize(layout: CoroutinesLayout): number {
  return Math.max(1, layout.table.height - 2);
}

/** Lane width in cells after the name column. */
export const LANE_NAME_WIDTH = 10;

/** The view the panel wants from the lab, derived from its state and the screen size. */
export function desiredView(
  state: CoroutinesState,
  layout: CoroutinesLayout,
  filter: string,
): TaskViewRequest {
  const limit = pageSize(layout);
  // The window moves only as far as the selection needs, as htop's does.
  // No empty rows at the bottom while rows above are hidden.
  const previous = Math.min(
    state.scrollTop ?? state.sentView?.offset ?? 0,
    Math.max(0, totalRows(state) - limit),
  );
  const offset = Math.max(
    0,
    Math.min(Math.max(previous, state.selected - limit + 1), state.selected),
  );
  const rows = state.snapshot?.window.rows ?? [];
  const shownOffset = state.snapshot?.window.request.offset ?? 0;
  const selectedRow = rows[state.selected - shownOffset];
  return {
    sort: state.sort,
    descending: state.descending,
    filter,
    offset,
    limit,
    includeFinished: true,
    selectedId: selectedRow?.id ?? null,
    anchorId: state.anchorId ?? null,
    lanes: {
      // The legend takes the first row; one lane per remaining row.
      count: Math.max(0, Math.min(32, layout.lanes.height - 1)),
      windowMs: 5000,
      buckets: Math.max(1, layout.lanes.width - LANE_NAME_WIDTH - 1),
    },
  };
}

/** A `set-view` command when the wanted view differs from the one last sent. */
export function viewCommand(
  state: CoroutinesState,
  view: TaskViewRequest,
): LabCommand | undefined {
  return JSON.stringify(view) === JSON.stringify(state.sentView)
    ? undefined
    : { type: "set-view", view };
}

export function totalRows(state: CoroutinesState): number {
  return state.snapshot?.window.total ?? 0;
}

/** Stores a snapshot: demo output is appended, the selection kept inside the rows. */
export function receiveSnapshot(state: CoroutinesState, snapshot: HubSnapshot): CoroutinesState {
  for (const line of snapshot.output.lines) state.output.push(line);
  if (snapshot.output.dropped > 0) {
    state.output.push({
      text: `... ${snapshot.output.dropped} lines skipped`,
      style: { dim: true },
    });
  }
  if (state.paused && state.snapshot) return state;
  const { total, request, anchorIndex } = snapshot.window;
  if (state.anchorId !== undefined && request.anchorId === state.anchorId) {
    // The new order has arrived: follow the task (or stay put if it is gone).
    const selected = Math.min(anchorIndex ?? state.selected, Math.max(0, total - 1));
    return { ...state, snapshot, selected, anchorId: undefined };
  }
  const selected = Math.min(state.selected, Math.max(0, total - 1));
  return { ...state, snapshot, selected };
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  if (ms < 3_600_000) return `${Math.floor(ms / 60_000)}m${Math.floor((ms % 60_000) / 1000)}s`;
  return `${Math.floor(ms / 3_600_000)}h${Math.floor((ms % 3_600_000) / 60_000)}m`;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}
