/**
 * The RabbitMQ panel's keys, as data (listed in help) and as the panel's
 * part of `update`: move in a table, change table, sort by a column, show a
 * row's detail. Keys not listed fall through to the global keymap.
 */
import { formatKey, type KeyEvent } from "../tui/keys.ts";
import type { AppState } from "./model.ts";
import {
  columnsOf,
  RABBIT_TABLES,
  type RabbitState,
  type RabbitTable,
  visibleRows,
} from "./rabbit.ts";
import { rabbitLayout } from "./rabbit_view.ts";
import { screenLayout } from "./screen_layout.ts";
import { selectedAction } from "./rabbit_actions.ts";

export const RABBIT_HELP: readonly { key: string; description: string }[] = [
  {
    key: "Left Right h l",
    description: "the next table: exchanges, queues, consumers, connections, actors",
  },
  { key: "Up Down j k", description: "select a row (PgUp PgDn Home End: a page, the ends)" },
  { key: "< >", description: "sort by the column to the left / right" },
  { key: "r", description: "reverse the sort" },
  { key: "Enter", description: "show the selected row's every field (Esc hides them)" },
  {
    key: "p",
    description: "peek: the first 5 messages of the selected queue (get with requeue: " +
      "they stay, marked redelivered, as RabbitMQ does)",
  },
  { key: "P", description: "purge the selected queue: its ready messages (asks first)" },
  {
    key: "D",
    description: "delete the selected queue or exchange (asks first; not amq.* nor the default)",
  },
  {
    key: ":route KEY",
    description: "on exchanges: which bindings KEY matches and why, word by word for topic (Esc)",
  },
];

export function withRabbit(state: AppState, rabbit: RabbitState): AppState {
  return { ...state, rabbit };
}

/** The panel's own keys; undefined when the key is not one of them. */
export function rabbitKey(state: AppState, key: KeyEvent): AppState | undefined {
  const name = formatKey(key);
  if (name === "P" || name === "D") return selectedAction(state, name === "P" ? "purge" : "delete");
  const next = rabbitKeyState(state.rabbit, key, state);
  return next ? { ...state, message: undefined, rabbit: next } : undefined;
}

function rabbitKeyState(r: RabbitState, key: KeyEvent, app: AppState): RabbitState | undefined {
  const filter = app.filters.rabbitmq;
  const count = visibleRows(r, r.table, filter).length;
  const page = Math.max(
    1,
    rabbitLayout(screenLayout(app.width, app.height).panel, r, app.mq).table.height - 1,
  );
  const select = (n: number): RabbitState => ({
    ...r,
    selected: { ...r.selected, [r.table]: Math.max(0, Math.min(n, count - 1)) },
  });
  const current = Math.min(r.selected[r.table], Math.max(0, count - 1));
  const moveTable = (step: number): RabbitState => {
    const i = RABBIT_TABLES.indexOf(r.table);
    const table = RABBIT_TABLES[(i + step + RABBIT_TABLES.length) % RABBIT_TABLES.length]!;
    return { ...r, table };
  };
  const sortColumn = (step: number): RabbitState => sortBy(r, r.table, step);
  switch (formatKey(key)) {
    case "up":
    case "k":
      return select(current - 1);
    case "down":
    case "j":
      return select(current + 1);
    case "pageup":
      return select(current - page);
    case "pagedown":
      return select(current + page);
    case "home":
      return select(0);
    case "end":
      return select(count - 1);
    case "left":
    case "h":
      return moveTable(-1);
    case "right":
    case "l":
      return moveTable(1);
    case "<":
      return sortColumn(-1);
    case ">":
      return sortColumn(1);
    case "r": {
      const sort = r.sort[r.table];
      return { ...r, sort: { ...r.sort, [r.table]: { ...sort, descending: !sort.descending } } };
    }
    case "enter":
      return count > 0 ? { ...r, detail: !r.detail } : undefined;
    case "p": {
      if (r.table !== "queues" || app.broker === undefined) return undefined;
      const q = visibleRows(r, "queues", filter)[current];
      if (!q) return undefined;
      const target = { vhost: q.vhost, queue: q.name };
      return { ...r, peekRequest: target, peek: target, detail: false };
    }
    case "escape":
      if (r.detail) return { ...r, detail: false };
      if (r.peek) return { ...r, peek: undefined };
      return r.routeKey !== undefined ? { ...r, routeKey: undefined } : undefined;
  }
  return undefined;
}

/** `:route KEY`: the exchanges table in focus, the explainer under it. */
export function routeKey(r: RabbitState, key: string): RabbitState {
  return { ...r, table: "exchanges", routeKey: key, detail: false };
}

/** The next column to sort by; numbers start with the biggest, text from A. */
function sortBy(r: RabbitState, table: RabbitTable, step: number): RabbitState {
  const columns = columnsOf(table);
  const column = (r.sort[table].column + step + columns.length) % columns.length;
  const sample = r.data?.[table][0];
  const descending = sample !== undefined && typeof columns[column]!.key(sample, r) === "number";
  return { ...r, sort: { ...r.sort, [table]: { column, descending } } };
}
