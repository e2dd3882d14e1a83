/**
 * The Sockets panel: echo servers with their rates, the load's line, the
 * per-second event counts as sparklines, the shown server's connections, its
 * live event stream and the load's latency histogram; `:compare`'s table
 * replaces connections and events when shown.
 */
import type { Rect, ScreenBuffer } from "../tui/buffer.ts";
import type { Style } from "../tui/style.ts";
import { stringWidth, wrapGroups, wrapText } from "../tui/width.ts";
import { renderLogView } from "../tui/widgets/log_view.ts";
import { renderSparkline } from "../tui/widgets/sparkline.ts";
import { renderTable, type TableColumn } from "../tui/widgets/table.ts";
import type { SocketsSnapshot } from "../lab/protocol.ts";
import { formatCount } from "./coroutines.ts";
import { drawCompare } from "./sockets_compare_view.ts";
import { parseEventFilter, socketsLayout, type SocketsState } from "./sockets.ts";
import type { Theme } from "./theme.ts";

const DIM: Style = { dim: true };
const BOLD: Style = { bold: true };

const SERVER_COLUMNS: readonly TableColumn[] = [
  { title: "server", width: { fill: 1 } },
  { title: "conns", width: { fixed: 6 }, align: "right" },
  { title: "max", width: { fixed: 6 }, align: "right" },
  { title: "rt/s", width: { fixed: 8 }, align: "right" },
  { title: "bytes/s", width: { fixed: 10 }, align: "right" },
  { title: "CPU", width: { fixed: 5 }, align: "right" },
  { title: "events", width: { fixed: 9 }, align: "right" },
];

const CONNECTION_COLUMNS: readonly TableColumn[] = [
  { title: "id", width: { fixed: 6 }, align: "right" },
  { title: "fd", width: { fixed: 5 }, align: "right" },
  { title: "peer", width: { fill: 1 } },
  { title: "state", width: { fixed: 10 } },
  { title: "in", width: { fixed: 8 }, align: "right" },
  { title: "out", width: { fixed: 8 }, align: "right" },
  { title: "last", width: { fixed: 8 } },
  { title: "task", width: { fixed: 5 }, align: "right" },
];

export function drawSockets(
  buf: ScreenBuffer,
  area: Rect,
  state: SocketsState,
  labLine: string | undefined,
  filter: string,
  theme: Theme,
): void {
  const part = state.snapshot;
  if (labLine) {
    buf.setString(area.x, area.y, labLine, theme.styles.error, area.width);
    return;
  }
  if (!part) {
    // One sentence a paragraph, each wrapped whole at word boundaries.
    const paragraphs = [
      "No echo server yet. :serve MODEL [PORT] starts one on 127.0.0.1 (s writes it for you); " +
      "the models are blocking, nonblocking, multiplexed and async.",
      "Then :load N (l) sends N clients, :compare [N] (c) runs the same load on each model and " +
      ":stop [NAME] (x) ends them. ? lists the keys.",
    ];
    let y = area.y;
    for (const paragraph of paragraphs) {
      for (const row of wrapText(paragraph, area.width)) buf.setString(area.x, y++, row, DIM);
      y++;
    }
    return;
  }
  const layout = socketsLayout(area);
  drawServers(buf, layout.servers, part, theme);
  if (state.showCompare && part.compare) {
    drawCompare(buf, layout.compare, part.compare, theme);
    return;
  }
  drawLoad(buf, layout.load, part);
  const note = windowNote(part);
  const noteWidth = stringWidth(note);
  buf.setString(
    layout.sparklines.x + layout.sparklines.width - noteWidth,
    layout.sparklines.y,
    note,
    DIM,
  );
  drawSparklines(
    buf,
    { ...layout.sparklines, width: Math.max(0, layout.sparklines.width - noteWidth - 1) },
    part,
    theme,
  );
  drawConnections(buf, layout.connections, state, part, theme);
  drawEvents(buf, layout.events, state, filter, theme);
  drawHistogram(buf, layout.histogram, part, theme);
}

function windowNote(part: SocketsSnapshot): string {
  const { rows, offset, total } = part.connections;
  if (total <= rows.length) return "";
  return `connections ${offset + 1}-${offset + rows.length} of ${formatCount(total)}`;
}

function drawServers(buf: ScreenBuffer, rect: Rect, part: SocketsSnapshot, theme: Theme): void {
  const rows = part.servers.map((s) => [
    `${s.name === part.shown && part.servers.length > 1 ? "> " : ""}${s.name}${
      s.poller ? ` (${s.poller})` : ""
    }`,
    formatCount(s.open),
    formatCount(s.maxOpen),
    formatCount(s.roundTripsPerS),
    formatBytes(s.bytesPerS),
    s.model === "blocking" ? "-" : `${Math.round(s.busy * 100)}%`,
    formatCount(s.events),
  ]);
  renderTable(buf, rect, {
    columns: SERVER_COLUMNS,
    rows,
    symbols: theme.symbols,
    emptyText: "no echo server running (:serve MODEL)",
  });
}

function drawLoad(buf: ScreenBuffer, rect: Rect, part: SocketsSnapshot): void {
  const load = part.load;
  const text = load
    ? `load ${load.state === "done" ? "done" : "running"} on :${load.port}: ${load.summary}`
    : "no load: :load N [--size B] [--rate R] sends N clients (10 s, 127.0.0.1)";
  // the figures are two spaces apart: each wraps whole, with its unit
  wrapGroups(text, rect.width).slice(0, rect.height).forEach((row, i) =>
    buf.setString(rect.x, rect.y + i, row, load ? undefined : DIM, rect.width)
  );
}

/** The busiest kinds of the shown server (up to three), one sparkline each over the last seconds. */
function drawSparklines(buf: ScreenBuffer, rect: Rect, part: SocketsSnapshot, theme: Theme): void {
  const { kinds, seconds } = part.perSecond;
  if (seconds.length === 0) return;
  const totals = kinds.map((_, k) => seconds.reduce((sum, s) => sum + (s[k] ?? 0), 0));
  const chosen = kinds.map((name, k) => ({ name, k, total: totals[k]! }))
    .filter((c) => c.total > 0).sort((a, b) => b.total - a.total)
    // each needs room for its label and a dozen seconds
    .slice(0, Math.max(1, Math.min(3, Math.floor(rect.width / 26))));
  if (chosen.length === 0) {
    buf.setString(rect.x, rect.y, "events/s: none yet", DIM, rect.width);
    return;
  }
  const width = Math.floor(rect.width / chosen.length);
  chosen.forEach((c, i) => {
    const x = rect.x + i * width;
    // the current second is still counting: the rate is the last whole one
    const last = seconds.at(-2)?.[c.k] ?? 0;
    const label = `${c.name} ${formatCount(last)}/s `;
    const used = stringWidth(label);
    buf.setString(x, rect.y, label, BOLD, width - 1);
    const data = seconds.slice(0, -1).map((s) => s[c.k] ?? 0);
    renderSparkline(buf, {
      x: x + used,
      y: rect.y,
      width: Math.max(0, width - used - 1),
      height: 1,
    }, {
      data,
      symbols: theme.symbols,
      style: { fg: 6 },
    });
  });
}

function drawConnections(
  buf: ScreenBuffer,
  rect: Rect,
  state: SocketsState,
  part: SocketsSnapshot,
  theme: Theme,
): void {
  const { rows, offset } = part.connections;
  const cells = rows.map((c) => [
    `#${c.id}`,
    c.fd < 0 ? "-" : String(c.fd),
    c.peer,
    c.state,
    formatBytes(c.bytesIn, ""),
    formatBytes(c.bytesOut, ""),
    c.lastEvent,
    c.taskId > 0 ? `#${c.taskId}` : "-",
  ]);
  // the lab sent the window: the table draws it from its top
  const selected = state.selected - offset;
  renderTable(buf, rect, {
    columns: CONNECTION_COLUMNS,
    rows: cells,
    symbols: theme.symbols,
    emptyText: part.shown ? "no connection open (:load N sends some)" : "",
  }, { selected: selected >= 0 && selected < cells.length ? selected : null, offset: 0 });
}

function drawEvents(
  buf: ScreenBuffer,
  rect: Rect,
  state: SocketsState,
  filter: string,
  theme: Theme,
): void {
  if (rect.height < 2) return;
  const { ignored } = parseEventFilter(filter);
  const parts = [
    state.paused ? "events PAUSED (Space resumes)" : "events",
    ...(state.skipped > 0 ? [`${formatCount(state.skipped)} not shown`] : []),
    ...(ignored.length > 0 ? [`not a kind: ${ignored.join(" ")}`] : []),
  ];
  buf.setString(
    rect.x,
    rect.y,
    parts.join("  "),
    state.paused ? { reverse: true } : BOLD,
    rect.width,
  );
  renderLogView(buf, { ...rect, y: rect.y + 1, height: rect.height - 1 }, {
    ring: state.events,
    symbols: theme.symbols,
    wrap: true,
    emptyText: filter ? "no event matches the filter yet" : "no event yet",
  }, state.log);
}

/** The load's latency as horizontal bars, buckets merged to fit the rows. */
function drawHistogram(buf: ScreenBuffer, rect: Rect, part: SocketsSnapshot, theme: Theme): void {
  const load = part.load;
  if (!load || rect.height < 2 || rect.width < 12) return;
  const x = rect.x + 1;
  const width = rect.width - 1;
  buf.setString(x, rect.y, "latency (load)", BOLD, width);
  const rows = rect.height - 1;
  const buckets = load.histogram;
  if (buckets.length === 0) {
    buf.setString(x, rect.y + 1, "no round trip yet", DIM, width);
    return;
  }
  const per = Math.ceil(buckets.length / rows);
  const merged: [number, number][] = [];
  for (let i = 0; i < buckets.length; i += per) {
    const group = buckets.slice(i, i + per);
    merged.push([group.at(-1)![0], group.reduce((sum, b) => sum + b[1], 0)]);
  }
  const max = Math.max(...merged.map((b) => b[1]));
  merged.forEach(([top, count], i) => {
    const label = `<${formatMs(top)}`.padStart(8);
    const n = formatCount(count);
    const barWidth = Math.max(0, width - 9 - stringWidth(n) - 1);
    const bar = theme.symbols.sparkline.at(-1)!.repeat(
      Math.max(1, Math.round(count / max * barWidth)),
    );
    buf.setString(x, rect.y + 1 + i, `${label} `, DIM, width);
    const end = buf.setString(x + 9, rect.y + 1 + i, bar, { fg: 6 }, barWidth);
    buf.setString(end + 1, rect.y + 1 + i, n, undefined, x + width - end - 1);
  });
}

function formatMs(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toFixed(0)}us`;
  if (ms < 10) return `${ms.toFixed(1)}ms`;
  return `${Math.round(ms)}ms`;
}

/** `12.3k` style, with a unit suffix (`B/s`) or none. */
export function formatBytes(n: number, unit = "B/s"): string {
  const v = Math.round(n);
  if (v < 1000) return `${v}${unit ? ` ${unit}` : ""}`;
  const [div, prefix] = v < 1e6 ? [1e3, "k"] : v < 1e9 ? [1e6, "M"] : [1e9, "G"];
  return `${(v / div).toFixed(1)}${unit ? ` ${prefix}${unit}` : prefix}`;
}
