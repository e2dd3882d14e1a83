/**
 * The Coroutines panel: hub header, task table (a window of rows the lab
 * sent), a timeline lane per busy task and the running demo's output; Enter
 * swaps the table for the selected task's detail.
 */
import type { Rect, ScreenBuffer } from "../tui/buffer.ts";
import type { Style } from "../tui/style.ts";
import { stringWidth } from "../tui/width.ts";
import { renderLogView } from "../tui/widgets/log_view.ts";
import { renderScrollText } from "../tui/widgets/scroll_text.ts";
import { renderTable, type TableColumn } from "../tui/widgets/table.ts";
import { detailLines, detailRect } from "./coroutines_detail.ts";
import { laneGlyphs, laneLabels, laneSamples } from "./lanes.ts";
import {
  coroutinesLayout,
  type CoroutinesState,
  formatCount,
  formatMs,
  LANE_NAME_WIDTH,
} from "./coroutines.ts";
import type { HubSnapshot, LaneView, TaskDetail, TaskRow, TaskSortKey } from "../lab/protocol.ts";
import type { Theme } from "./theme.ts";
import { busyLine, seconds, stuckName } from "./lab_busy.ts";
import { selectedTask } from "./coroutines_keys.ts";

const DIM: Style = { dim: true };
const BOLD: Style = { bold: true };
const WARN: Style = { fg: 3, bold: true };
/**
 * Row colours by how a task ended: red only for a failure (it threw);
 * magenta for a task a person killed; an abandoned one (its program ended
 * while it waited, like baozi's consumers) is dim, neutral: not a failure.
 */
const END_STYLES: Partial<Record<TaskRow["state"], Style>> = {
  failed: { fg: 1 },
  killed: { fg: 5 },
  abandoned: DIM,
};

/**
 * One column per sort key, each wide enough for its title and the sort arrow
 * (a right-aligned title that fills its column takes the arrow into the gap
 * before it), leaving the name the rest: 10 cells at 80 columns.
 */
const COLUMNS: readonly (TableColumn & { sort: TaskSortKey })[] = [
  { title: "id", width: { fixed: 6 }, align: "right", sort: "id" },
  { title: "name", width: { fill: 1 }, sort: "name" },
  { title: "group", width: { fixed: 7 }, sort: "group" },
  { title: "state", width: { fixed: 14 }, sort: "state" },
  { title: "switches", width: { fixed: 8 }, align: "right", sort: "switches" },
  { title: "busy%", width: { fixed: 6 }, align: "right", sort: "busy" },
  { title: "wait", width: { fixed: 6 }, align: "right", sort: "wait" },
  { title: "age", width: { fixed: 6 }, align: "right", sort: "age" },
  { title: "warn", width: { fixed: 5 }, align: "right", sort: "warnings" },
];

export function drawCoroutines(
  buf: ScreenBuffer,
  area: Rect,
  state: CoroutinesState,
  labLine: string | undefined,
  filter: string,
  theme: Theme,
): void {
  const snapshot = state.snapshot;
  if (!snapshot) {
    buf.setString(area.x, area.y, labLine ?? "waiting for the lab's first snapshot...", DIM);
    return;
  }
  const layout = coroutinesLayout(area);
  drawHeader(buf, layout.header, snapshot, state.paused);
  if (state.stuck) drawStuck(buf, layout.header, state, theme);
  if (labLine) {
    // The lab is gone: what is below is its last word, not live figures.
    buf.fill(layout.header, " ", {});
    buf.setString(layout.header.x, layout.header.y, labLine, theme.styles.error, area.width);
  }
  if (state.detail && snapshot.selected?.task.id !== selectedTask(state)?.id) {
    // The lab has not sent this task's detail yet (it is busy, or on its way).
    drawDetailPending(buf, detailRect(layout), state);
  } else if (state.detail && snapshot.selected) {
    drawDetail(buf, detailRect(layout), snapshot.selected, state, snapshot.header.nowMs, theme);
  } else {
    drawTable(buf, layout.table, state, snapshot, filter, theme);
    drawLanes(buf, layout.lanes, snapshot.lanes, snapshot.selected?.task.id, theme);
  }
  if (!state.detail) drawOutput(buf, layout.output, state, theme);
}

function drawHeader(buf: ScreenBuffer, row: Rect, snapshot: HubSnapshot, paused: boolean): void {
  const h = snapshot.header;
  const parts = [
    `live ${formatCount(h.live)}`,
    `ready ${formatCount(h.ready)}`,
    `switches/s ${formatCount(h.switchesPerS)}`,
    `lag ${formatMs(h.loopLagMs)}`,
  ];
  let x = buf.setString(row.x, row.y, parts.join("  "), BOLD, row.width);
  if (h.warnings > 0) {
    x = buf.setString(
      x,
      row.y,
      `  warnings ${formatCount(h.warnings)}`,
      WARN,
      row.x + row.width - x,
    );
  }
  drawEndCounts(buf, row, x, h);
  if (paused) {
    const tag = " PAUSED (space resumes) ";
    buf.setString(row.x + row.width - tag.length, row.y, tag, { reverse: true });
  }
}

/** `info   hints` when both fit the width, else the info alone (`?` lists the keys). */
function withHints(info: string, hints: string, width: number): string {
  const both = `${info}   ${hints}`;
  return stringWidth(both) <= width ? both : info;
}

/** After the figures: how many tasks ended other than done, each in its row colour. */
function drawEndCounts(buf: ScreenBuffer, row: Rect, x: number, h: HubSnapshot["header"]): void {
  for (const state of ["failed", "killed", "abandoned"] as const) {
    const n = h[state];
    if (n > 0) {
      const text = `  ${formatCount(n)} ${state}`;
      x = buf.setString(x, row.y, text, END_STYLES[state], row.x + row.width - x);
    }
  }
}

/** Over the header: the lab is frozen, so its figures are stale; say why. */
function drawStuck(buf: ScreenBuffer, row: Rect, state: CoroutinesState, theme: Theme): void {
  const text = `${busyLine(state.stuck!, stuckName(state))}; figures below are stale`;
  buf.fill(row, " ", {});
  buf.setString(row.x, row.y, text, theme.styles.error, row.width);
}

function drawDetailPending(buf: ScreenBuffer, rect: Rect, state: CoroutinesState): void {
  const task = selectedTask(state);
  const who = task ? `task #${task.id} ${task.name}` : "the selected task";
  const why = state.stuck
    ? `: the lab is busy (task #${state.stuck.taskId} has not yielded); it shows when it yields`
    : "...";
  buf.setString(rect.x, rect.y, `waiting for the detail of ${who}${why}`, DIM, rect.width);
}

function taskCells(t: TaskRow): string[] {
  return [
    String(t.id),
    t.name,
    t.group,
    t.stateText,
    formatCount(t.switches),
    t.busyPct.toFixed(0),
    formatMs(t.waitingMs),
    formatMs(t.ageMs),
    t.warnings > 0 ? `!${t.warnings}` : "",
  ];
}

function drawTable(
  buf: ScreenBuffer,
  rect: Rect,
  state: CoroutinesState,
  snapshot: HubSnapshot,
  filter: string,
  theme: Theme,
): void {
  const { rows, total, request } = snapshot.window;
  const sortColumn = COLUMNS.findIndex((c) => c.sort === state.sort);
  const endStyles = new Map(rows.map((r) => [r.id, END_STYLES[r.state]]));
  const stuck = state.stuck;
  // While the lab is busy the rows are stale (dimmed), except what the UI knows
  // first-hand from the watchdog: the stuck task is running, not yielding.
  const cells = (t: TaskRow) =>
    taskCells(t.id === stuck?.taskId ? { ...t, stateText: "not yielding" } : t);
  const rowStyle = (row: readonly string[]): Style | undefined => {
    if (stuck) return Number(row[0]) === stuck.taskId ? WARN : DIM;
    return endStyles.get(Number(row[0]));
  };
  // The last row is a footer: where the window is and how it is sorted.
  const tableRect = { ...rect, height: Math.max(1, rect.height - 1) };
  renderTable(buf, tableRect, {
    columns: COLUMNS,
    rows: rows.map(cells),
    sort: sortColumn >= 0 ? { column: sortColumn, descending: state.descending } : undefined,
    symbols: theme.symbols,
    emptyText: filter
      ? `no task matches '${filter}'`
      : "no tasks: press d to run a demo, or :demo gevent",
    rowStyle,
  }, { selected: total > 0 ? state.selected - request.offset : null, offset: 0 });
  if (rect.height < 2 || total === 0) return;
  const shown = `${formatCount(request.offset + 1)}-${formatCount(request.offset + rows.length)}`;
  const footer = stuck
    ? `tasks ${shown} of ${formatCount(total)} as of ${
      seconds(stuck.forMs)
    } ago   ^K on #${stuck.taskId} or :restart-lab restarts the lab`
    : withHints(
      `tasks ${shown} of ${formatCount(total)}, by ${state.sort}${
        state.descending ? " (reversed)" : ""
      }${filter ? `, filter '${filter}'` : ""}`,
      "Enter detail  < > sort  r reverse  ^K kill  c clear",
      rect.width,
    );
  buf.setString(rect.x, rect.y + rect.height - 1, footer, DIM, rect.width);
}

function drawLanes(
  buf: ScreenBuffer,
  rect: Rect,
  lanes: LaneView,
  selectedId: number | undefined,
  theme: Theme,
): void {
  if (rect.height <= 0) return;
  const glyphs = laneGlyphs(theme.symbols);
  const legend = `last ${
    formatMs(lanes.bucketMs * lanes.buckets)
  } ${glyphs.R} run ${glyphs.r} ready ${glyphs.w} wait`;
  buf.setString(rect.x, rect.y, legend, DIM, rect.width);
  const shown = lanes.lanes.slice(0, rect.height - 1);
  // One column for the marker of the selected task's lane, pinned first.
  const labels = laneLabels(shown, LANE_NAME_WIDTH - 2, theme.symbols.ellipsis);
  shown.forEach((lane, i) => {
    const y = rect.y + 1 + i;
    const pinned = lane.id === selectedId;
    const label = (pinned ? theme.symbols.selected : " ") + labels[i]!;
    buf.setString(rect.x, y, label, pinned ? BOLD : undefined, LANE_NAME_WIDTH - 1);
    const samples = laneSamples(lane, glyphs);
    buf.setString(rect.x + LANE_NAME_WIDTH, y, samples, { fg: 2 }, rect.width - LANE_NAME_WIDTH);
  });
}

function drawOutput(buf: ScreenBuffer, rect: Rect, state: CoroutinesState, theme: Theme): void {
  if (rect.height <= 0) return;
  const x = rect.x + 1;
  const width = Math.max(0, rect.width - 1);
  const demo = state.snapshot?.demo;
  const title = demo ? `demo ${demo.name}: ${demo.state}` : "demo output";
  buf.setString(x, rect.y, title, DIM, width);
  renderLogView(buf, { x, y: rect.y + 1, width, height: rect.height - 1 }, {
    ring: state.output,
    symbols: theme.symbols,
    emptyText: "(none yet)",
    // The demo's own words: a warning's explanation is read whole, never cut.
    wrap: true,
  });
}

function drawDetail(
  buf: ScreenBuffer,
  rect: Rect,
  detail: TaskDetail,
  state: CoroutinesState,
  nowMs: number,
  theme: Theme,
): void {
  const lines = detailLines(detail, nowMs, state.snapshot?.lanes, theme.symbols);
  renderScrollText(buf, rect, { lines, offset: state.detailOffset, symbols: theme.symbols });
}

/** One line for the Overview panel. */
export function coroutinesSummary(state: CoroutinesState): string | undefined {
  const h = state.snapshot?.header;
  if (!h) return undefined;
  return `${formatCount(h.live)} live tasks, ${formatCount(h.switchesPerS)} switches/s, ${
    formatCount(h.warnings)
  } warnings${
    state.snapshot?.demo ? `, demo ${state.snapshot.demo.name} ${state.snapshot.demo.state}` : ""
  }`;
}
