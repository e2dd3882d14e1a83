/**
 * Draws the RabbitMQ panel's actors section: a title line (how many run, the
 * scenario), the actors table (name, kind, state, what it does, published,
 * received, acked, rate, error), the selected actor in words, the RPC
 * client's calls when there is one, and the selected actor's log, newest
 * last. `done` and `stopped` are drawn dim, as normal ends; only `failed` is
 * red. At 80x22 the table and what is under it share about half each; a
 * large terminal adds the kind and error columns and puts the calls beside
 * the log.
 */
import type { Rect, ScreenBuffer } from "../tui/buffer.ts";
import { splitCols } from "../tui/layout.ts";
import type { Style } from "../tui/style.ts";
import { renderTable, type TableColumn } from "../tui/widgets/table.ts";
import { stringWidth, wrapText } from "../tui/width.ts";
import type { ActorRow, ActorState, RpcCallRow } from "../lab/protocol.ts";
import { actorCounters, actorsLine, formatRate, type MqState, selectedActor } from "./mq.ts";
import type { Theme } from "./theme.ts";

const DIM: Style = { dim: true };
const BOLD: Style = { bold: true };
const WARN: Style = { fg: 3 };

const STATE_STYLES: Partial<Record<ActorState, Style>> = {
  failed: { fg: 1 },
  reconnecting: WARN,
  done: DIM,
  stopped: DIM,
};

export interface ActorsLayout {
  title: Rect;
  table: Rect;
  /** The selected actor in words (wrapped). */
  about: Rect;
  /** The RPC client's calls (empty without an RPC client). */
  calls: Rect;
  log: Rect;
}

const hasRpcClient = (mq: MqState) =>
  (mq.snapshot?.actors ?? []).some((a) => a.kind === "rpc-client") ||
  (mq.snapshot?.rpc.length ?? 0) > 0;

export function actorsLayout(rect: Rect, mq: MqState): ActorsLayout {
  const actors = mq.snapshot?.actors ?? [];
  const row = (y: number, height: number): Rect => ({ ...rect, y, height: Math.max(0, height) });
  const title = row(rect.y, Math.min(1, rect.height));
  const body = rect.height - title.height;
  // The table takes what its rows need, up to about half; what is under it, the rest.
  const tableHeight = Math.min(1 + Math.max(1, actors.length), Math.max(3, Math.ceil(body / 2)));
  const table = row(title.y + title.height, Math.min(body, tableHeight));
  const below = row(table.y + table.height, body - table.height);
  const selected = selectedActor(mq);
  // The selected actor's sentences whole come first; the log (2 rows at least) gets the rest.
  const aboutHeight = selected
    ? Math.min(Math.max(0, below.height - 2), aboutLines(selected, below.width).length)
    : 0;
  const about = row(below.y, aboutHeight);
  const rest = row(about.y + about.height, below.height - aboutHeight);
  if (!hasRpcClient(mq)) return { title, table, about, calls: row(rest.y, 0), log: rest };
  const callRows = 1 + Math.max(1, mq.snapshot?.rpc.length ?? 0);
  if (rect.width >= 120) {
    const [log, calls] = splitCols(rest, [{ fill: 1 }, { fixed: 56 }]) as [Rect, Rect];
    return {
      title,
      table,
      about,
      calls: { ...calls, x: calls.x + 2, width: calls.width - 2 },
      log,
    };
  }
  const callsHeight = Math.min(callRows, Math.max(2, Math.ceil(rest.height / 2)));
  return {
    title,
    table,
    about,
    calls: row(rest.y, Math.min(rest.height, callsHeight)),
    log: row(rest.y + callsHeight, rest.height - callsHeight),
  };
}

/** Rows the actors table shows at once (its page for PgUp/PgDn). */
export function actorsPage(rect: Rect, mq: MqState): number {
  return Math.max(1, actorsLayout(rect, mq).table.height - 1);
}

/** The selected actor in words: name, kind, state, what it does, its counters and its error. */
export function aboutLines(a: ActorRow, width: number): string[] {
  const text = `${a.name} (${a.kind}, ${a.state}${a.taskId > 0 ? `, task #${a.taskId}` : ""}): ` +
    `${a.summary === "" ? "" : `${a.summary}; `}${actorCounters(a)}`;
  return [
    ...wrapText(text, Math.max(1, width)),
    ...(a.error === null ? [] : wrapText(`error: ${a.error}`, Math.max(1, width))),
  ];
}

function actorColumns(width: number): (TableColumn & { cell: (a: ActorRow) => string })[] {
  const wide = width >= 100;
  return [
    { title: "Name", width: { fixed: 13 }, cell: (a) => a.name },
    ...(wide ? [{ title: "Kind", width: { fixed: 10 }, cell: (a: ActorRow) => a.kind }] : []),
    { title: "State", width: { fixed: 12 }, cell: (a) => a.state },
    { title: "Does", width: { fill: 2 }, cell: (a) => a.summary },
    { title: "Pub", width: { fixed: 6 }, align: "right", cell: (a) => String(a.published) },
    { title: "Recv", width: { fixed: 6 }, align: "right", cell: (a) => String(a.received) },
    { title: "Ack", width: { fixed: 6 }, align: "right", cell: (a) => String(a.acked) },
    { title: "Msg/s", width: { fixed: 6 }, align: "right", cell: (a) => formatRate(a.ratePerS) },
    ...(width >= 120
      ? [{ title: "Error", width: { fill: 1 }, cell: (a: ActorRow) => a.error ?? "" }]
      : []),
  ];
}

export function drawActors(buf: ScreenBuffer, rect: Rect, mq: MqState, theme: Theme): void {
  if (rect.height <= 0) return;
  const layout = actorsLayout(rect, mq);
  const title = actorsLine(mq.snapshot);
  const actors = mq.snapshot?.actors ?? [];
  const x = buf.setString(rect.x, rect.y, actors.length > 0 ? title : "actors", BOLD, rect.width);
  const hint = mq.shown ? "  x stop  s scenarios  a back" : "  a actors  s scenarios";
  if (x + stringWidth(hint) <= rect.x + rect.width) buf.setString(x, rect.y, hint, DIM);
  const columns = actorColumns(rect.width);
  const selected = selectedActor(mq);
  const index = selected ? actors.indexOf(selected) : -1;
  renderTable(buf, layout.table, {
    columns,
    rows: actors.map((a) => columns.map((c) => c.cell(a))),
    symbols: theme.symbols,
    rowStyle: (_, i) => STATE_STYLES[actors[i]!.state],
    emptyText: title,
  }, { selected: mq.shown && index >= 0 ? index : null, offset: 0 });
  if (!selected) return;
  aboutLines(selected, layout.about.width).slice(0, layout.about.height).forEach((line, i) =>
    buf.setString(
      layout.about.x,
      layout.about.y + i,
      line,
      line.startsWith("error: ") ? theme.styles.error : undefined,
      layout.about.width,
    )
  );
  drawCalls(buf, layout.calls, mq.snapshot?.rpc ?? [], theme);
  drawLog(buf, layout.log, mq, selected.name);
}

const CALL_COLUMNS: readonly TableColumn[] = [
  { title: "RPC call", width: { fixed: 10 } },
  { title: "n", width: { fixed: 4 }, align: "right" },
  { title: "Answer", width: { fill: 1 } },
  { title: "Latency", width: { fixed: 9 }, align: "right" },
];

/** The RPC client's calls, newest at the bottom (the table scrolls to keep it in view). */
function drawCalls(buf: ScreenBuffer, rect: Rect, calls: readonly RpcCallRow[], theme: Theme) {
  if (rect.height <= 0) return;
  const rows = calls.map((c) => [
    c.correlationId.slice(0, 8),
    String(c.n),
    c.state === "waiting" ? "waiting..." : c.answer ?? "",
    c.latencyMs === null
      ? ""
      : `${c.latencyMs < 10 ? c.latencyMs.toFixed(1) : Math.round(c.latencyMs)} ms`,
  ]);
  renderTable(buf, rect, {
    columns: CALL_COLUMNS,
    rows,
    symbols: theme.symbols,
    rowStyle: (_, i) => (calls[i]!.state === "error" ? { fg: 1 } : undefined),
    emptyText: "no call yet (:rpc N)",
    // No selection: the window ends on the newest call.
  }, { selected: null, offset: Math.max(0, rows.length - (rect.height - 1)) });
}

/** The selected actor's log, newest last, each line wrapped whole. */
function drawLog(buf: ScreenBuffer, rect: Rect, mq: MqState, name: string): void {
  if (rect.height <= 0) return;
  const lines = mq.logs[name] ?? [];
  const dropped = mq.dropped > 0 ? ` (${mq.dropped} lines came too fast to show)` : "";
  buf.setString(rect.x, rect.y, `log of ${name}, newest last${dropped}`, DIM, rect.width);
  const room = rect.height - 1;
  if (lines.length === 0) {
    if (room > 0) buf.setString(rect.x, rect.y + 1, "nothing yet", DIM, rect.width);
    return;
  }
  // Wrap from the newest back until the room is full.
  const shown: string[] = [];
  for (let i = lines.length - 1; i >= 0 && shown.length < room; i--) {
    shown.unshift(...wrapText(lines[i]!, Math.max(1, rect.width)));
  }
  shown.slice(-room).forEach((line, i) =>
    buf.setString(
      rect.x,
      rect.y + 1 + i,
      line,
      /\b(nack|nacked|return|returned|reject|rejected)\b/.test(line) ? WARN : undefined,
      rect.width,
    )
  );
}
