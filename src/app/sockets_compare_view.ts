/**
 * `:compare`'s table: one row per model (round trips/s, p50, p99, most
 * connections served at once, CPU), then each row's reading in the lesson's
 * terms, wrapped whole.
 */
import type { Rect, ScreenBuffer } from "../tui/buffer.ts";
import type { Style } from "../tui/style.ts";
import { wrapText } from "../tui/width.ts";
import { renderTable, type TableColumn } from "../tui/widgets/table.ts";
import type { CompareStatus } from "../lab/protocol.ts";
import { formatCount } from "./coroutines.ts";
import type { Theme } from "./theme.ts";

const DIM: Style = { dim: true };

const COLUMNS: readonly TableColumn[] = [
  { title: "model", width: { fill: 1 } },
  { title: "rt/s", width: { fixed: 9 }, align: "right" },
  { title: "p50", width: { fixed: 9 }, align: "right" },
  { title: "p99", width: { fixed: 9 }, align: "right" },
  { title: "at once", width: { fixed: 8 }, align: "right" },
  { title: "CPU", width: { fixed: 5 }, align: "right" },
  { title: "errors", width: { fixed: 7 }, align: "right" },
];

const ms = (n: number) => `${n >= 100 ? Math.round(n) : n.toPrecision(3)} ms`;

export function drawCompare(buf: ScreenBuffer, rect: Rect, compare: CompareStatus, theme: Theme) {
  const title = compare.state === "running"
    ? `comparing with ${compare.connections} connections: ${compare.rows.length} of 4 models done`
    : compare.state === "failed"
    ? `the comparison failed: ${compare.error}`
    : `comparison, ${compare.connections} connections each (t or Esc hides it)`;
  let y = rect.y;
  for (const row of wrapText(title, rect.width)) buf.setString(rect.x, y++, row, { bold: true });
  const rows = compare.rows.map((r) => [
    r.model,
    r.roundTripsPerS === null ? "-" : formatCount(r.roundTripsPerS),
    r.roundTripsPerS === null ? "-" : ms(r.p50Ms),
    r.roundTripsPerS === null ? "-" : ms(r.p99Ms),
    formatCount(r.mostAtOnce),
    r.busy === null ? "-" : `${Math.round(r.busy * 100)}%`,
    formatCount(r.errors),
  ]);
  const tableHeight = Math.min(rows.length + 1, rect.y + rect.height - y);
  renderTable(buf, { ...rect, y, height: tableHeight }, {
    columns: COLUMNS,
    rows,
    symbols: theme.symbols,
  });
  y += tableHeight;
  const end = rect.y + rect.height;
  for (const r of compare.rows) {
    for (const line of wrapText(`${r.model}: ${r.reading}`, rect.width)) {
      if (y >= end) return;
      buf.setString(rect.x, y++, line, DIM);
    }
  }
}
