/**
 * Draws the RabbitMQ panel: the broker's overview in one line (wrapped when
 * narrow), the row of tables, the focused table, and under it the bindings
 * of the selection (exchanges, queues), the channels of a connection, or
 * with Enter every field of the selected row. Text wraps whole; only table
 * cells end in an ellipsis.
 */
import type { Rect, ScreenBuffer } from "../tui/buffer.ts";
import type { Style } from "../tui/style.ts";
import { renderTable } from "../tui/widgets/table.ts";
import { stringWidth, wrapText } from "../tui/width.ts";
import { brokerProblem, mgmtBanner } from "./broker_status.ts";
import type { RabbitData } from "./mgmt_api.ts";
import {
  bindingsOf,
  columnsOf,
  queueKey,
  RABBIT_TABLES,
  type RabbitState,
  selectedRow,
  sparkText,
  visibleRows,
} from "./rabbit.ts";
import type { Theme } from "./theme.ts";
import { routeLines } from "./rabbit_route.ts";
import type { PeekResult } from "./mgmt_peek.ts";
import type { AppState } from "./model.ts";
import type { MqState } from "./mq.ts";
import { drawActors } from "./actors_view.ts";

const DIM: Style = { dim: true };

export interface RabbitLayout {
  overview: Rect;
  tabs: Rect;
  table: Rect;
  below: Rect;
  /** The actors section (empty when neither shown nor room for it). */
  actors: Rect;
}

/** The overview line, as the Overview panel shows it too; `stale` when the API stopped answering. */
export function rabbitOverviewLine(data: RabbitData, stale = false): string {
  const o = data.overview;
  const prefix = stale ? "STALE (the management API stopped answering) " : "";
  const r = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
  const count = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;
  const scope = o.vhost === undefined ? "" : ` vhost ${o.vhost}`;
  return `${prefix}${o.product} ${o.version}${scope}: ${count(o.queues, "queue")}, ` +
    `${count(o.exchanges, "exchange")}, ${count(o.connections, "connection")}, ` +
    `${count(o.consumers, "consumer")}; ${o.ready} ready, ` +
    `${o.unacked} unacked; publish ${r(o.publishRate)}/s, deliver ${r(o.deliverRate)}/s`;
}

/** A terminal this tall shows the actors under the broker's tables, both at once. */
const SPLIT_HEIGHT = 36;

/**
 * How the panel shares its room: the overview line, the row of tables, then
 * the focused table and what is under it, or the actors section in their
 * place (the actors view, `a`). A large terminal shows both: the tables
 * above, the actors below.
 */
export function rabbitLayout(area: Rect, r: RabbitState, mq: MqState, stale = false): RabbitLayout {
  const overviewHeight = r.data
    ? Math.min(3, wrapText(rabbitOverviewLine(r.data, stale), Math.max(1, area.width)).length)
    : 0;
  const top = area.y + overviewHeight;
  const all = Math.max(0, area.height - overviewHeight - 1);
  const hasActors = mq.shown || (mq.snapshot?.actors.length ?? 0) > 0;
  const split = hasActors && area.height >= SPLIT_HEIGHT;
  const actorsHeight = split ? Math.floor(all / 2) : mq.shown ? all : 0;
  const rest = all - actorsHeight;
  const hasBelow = r.detail || r.table !== "consumers";
  const explaining = r.table === "exchanges" && r.routeKey !== undefined;
  // The table takes most of the room; what is under it gets a third, at least 4 rows.
  // The explainer is the point when asked for: half the room.
  const share = explaining ? 2 : 3;
  const belowHeight = hasBelow && rest >= 9 ? Math.max(4, Math.floor(rest / share)) : 0;
  const tableHeight = rest - belowHeight;
  const actorsTop = top + 1 + rest + (split ? 1 : 0);
  return {
    overview: { x: area.x, y: area.y, width: area.width, height: overviewHeight },
    tabs: { x: area.x, y: top, width: area.width, height: 1 },
    table: { x: area.x, y: top + 1, width: area.width, height: tableHeight },
    below: { x: area.x, y: top + 1 + tableHeight, width: area.width, height: belowHeight },
    actors: {
      x: area.x,
      y: actorsTop,
      width: area.width,
      height: Math.max(0, area.y + area.height - actorsTop),
    },
  };
}

export function drawRabbit(
  buf: ScreenBuffer,
  area: Rect,
  { rabbit: r, mq, broker }: Pick<AppState, "rabbit" | "mq" | "broker">,
  filter: string,
  theme: Theme,
): void {
  // No reading yet: why, wrapped whole (waiting, or what is wrong and the fix); the actors under it.
  if (!r.data) {
    const notes = [
      brokerProblem(broker),
      mgmtBanner(broker),
      broker ? "reading the management API..." : "The broker is read in the live dashboard only.",
    ].filter((t) => t !== undefined).flatMap((n) => wrapText(n, Math.max(1, area.width)));
    const hasActors = mq.shown || (mq.snapshot?.actors.length ?? 0) > 0;
    const noteHeight = hasActors ? Math.min(notes.length, 3) : area.height;
    lines(buf, { ...area, height: noteHeight }, notes, undefined);
    if (hasActors) {
      const y = area.y + noteHeight + 1;
      drawActors(buf, { ...area, y, height: area.y + area.height - y }, mq, theme);
    }
    return;
  }
  const stale = broker?.mgmt.state === "unreachable";
  const layout = rabbitLayout(area, r, mq, stale);
  drawActors(buf, layout.actors, mq, theme);
  lines(
    buf,
    layout.overview,
    wrapText(rabbitOverviewLine(r.data, stale), Math.max(1, area.width)),
    {
      bold: true,
    },
  );
  drawTableTabs(buf, layout.tabs, r, mq, filter, theme);
  if (mq.shown && layout.table.height === 0) return;
  const rows = visibleRows(r, r.table, filter);
  // A wide terminal gives the depth sparkline more of its history (up to 30 readings).
  const sparkWidth = area.width >= 120 ? 30 : 10;
  const columns = columnsOf(r.table).map((c) =>
    c.title === "Depth" ? { ...c, width: { fixed: sparkWidth } } : c
  );
  const selected = Math.min(r.selected[r.table], Math.max(0, rows.length - 1));
  const levels = theme.symbols.sparkline;
  renderTable(
    buf,
    layout.table,
    {
      columns,
      rows: rows.map((row) =>
        columns.map((c) =>
          c.title === "Depth"
            ? sparkText(r.history[queueKey(row)] ?? [], sparkWidth, levels)
            : c.cell(row, r)
        )
      ),
      sort: r.sort[r.table],
      symbols: theme.symbols,
      emptyText: filter ? `no ${r.table} match '${filter}'` : `no ${r.table}`,
    },
    { selected: rows.length > 0 && !mq.shown ? selected : null, offset: 0 },
  );
  const row = selectedRow(r, filter);
  if (row && layout.below.height > 0) {
    lines(buf, layout.below, belowLines(r, row, layout.below.width), undefined, true);
  }
}

/** The row of tables, the actors last: the one in focus highlighted. */
function drawTableTabs(
  buf: ScreenBuffer,
  rect: Rect,
  r: RabbitState,
  mq: MqState,
  filter: string,
  theme: Theme,
): void {
  let x = rect.x;
  const tabs = RABBIT_TABLES.map((table) => ({
    text: `${table} ${visibleRows(r, table, filter).length}`,
    active: !mq.shown && table === r.table,
  }));
  tabs.push({ text: `actors ${mq.snapshot?.actors.length ?? 0}`, active: mq.shown });
  tabs.forEach(({ text, active }, i) => {
    if (i > 0) {
      x = buf.setString(x, rect.y, ` ${theme.symbols.separator} `, DIM, rect.x + rect.width - x);
    }
    const style = active ? theme.styles.activeTab : DIM;
    x = buf.setString(x, rect.y, text, style, Math.max(0, rect.x + rect.width - x));
  });
  if (mq.shown) return;
  const hint = "  < > sort  Enter detail";
  if (x + stringWidth(hint) <= rect.x + rect.width) buf.setString(x, rect.y, hint, DIM);
}

// deno-lint-ignore no-explicit-any
function belowLines(r: RabbitState, row: any, width: number): string[] {
  const w = Math.max(1, width);
  const wrap = (text: string) => wrapText(text, w);
  const out: string[] = [];
  if (r.table === "exchanges" && r.routeKey !== undefined) {
    for (const line of routeLines(row, bindingsOf(r, "exchanges", row), r.routeKey)) {
      out.push(...wrap(line));
    }
    return out;
  }
  const peek = r.peek;
  if (
    r.table === "queues" && peek !== undefined && peek.queue === row.name &&
    peek.vhost === row.vhost
  ) {
    out.push(...peekLines(peek.queue, peek.result).flatMap(wrap));
    return out;
  }
  if (r.detail) {
    // Every field, packed and wrapped whole, so the detail fits beside the bindings.
    out.push(...wrap(Object.entries(row).map(([k, v]) => `${k}: ${String(v)}`).join(", ")));
  }
  if (r.table === "exchanges" || r.table === "queues") {
    const bindings = bindingsOf(r, r.table, row);
    const name = row.name || "(AMQP default)";
    out.push(
      ...wrap(
        `bindings of ${r.table === "queues" ? "queue" : "exchange"} ${name}: ${bindings.length}`,
      ),
    );
    for (const b of bindings) {
      const source = b.source || "(AMQP default)";
      const args = b.arguments ? ` ${b.arguments}` : "";
      out.push(
        ...wrap(
          `${source} -> ${b.destinationType} ${b.destination}, key '${b.routingKey}'${args}`,
        ),
      );
    }
  } else if (r.table === "connections") {
    const channels = r.data?.channels.filter((c) => c.connection === row.name) ?? [];
    out.push(...wrap(`channels of ${row.name}: ${channels.length}`));
    for (const c of channels) {
      out.push(
        ...wrap(
          `${c.name}: consumers ${c.consumers}, prefetch ${c.prefetch}, unacked ${c.unacked}` +
            (c.confirm ? ", confirms" : ""),
        ),
      );
    }
  }
  return out;
}

function peekLines(queue: string, result: PeekResult | undefined): string[] {
  if (!result) return [`peeking at ${queue}...`];
  if ("error" in result) return [`peek of ${queue} failed: ${result.error} (Esc)`];
  const head = `peek of ${queue}: ${result.messages.length} message(s), got and requeued, so ` +
    "now marked redelivered, as RabbitMQ does (Esc)";
  return [
    head,
    ...result.messages.map((m, i) =>
      `${i + 1}. key '${m.routingKey}' from '${m.exchange || "(AMQP default)"}'` +
      `${m.redelivered ? ", redelivered" : ""}, ${m.bytes} B: ${m.body}`
    ),
  ];
}

/** Lines into a rect; when they do not all fit, the last row says how many more. */
function lines(
  buf: ScreenBuffer,
  rect: Rect,
  text: readonly string[],
  style: Style | undefined,
  countMore = false,
): void {
  const room = rect.height;
  const shown = countMore && text.length > room
    ? text.slice(0, Math.max(0, room - 1))
    : text.slice(0, room);
  shown.forEach((line, i) => buf.setString(rect.x, rect.y + i, line, style, rect.width));
  if (shown.length < text.length && countMore && room > 0) {
    buf.setString(
      rect.x,
      rect.y + room - 1,
      `(${text.length - shown.length} more lines)`,
      DIM,
      rect.width,
    );
  }
}
