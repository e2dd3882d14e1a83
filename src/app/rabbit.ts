/**
 * The RabbitMQ panel's state: the latest management API reading, which
 * table has the focus, each table's selection and sort, the detail toggle
 * and a short history of each queue's depth for its sparkline. The tables'
 * columns, filtering and sorting are here too (pure), shared by the keys
 * and the view.
 */
import type { PeekResult } from "./mgmt_peek.ts";
import type { Constraint } from "../tui/layout.ts";
import type { ConnectionRow, ConsumerRow, ExchangeRow, QueueRow, RabbitData } from "./mgmt_api.ts";

export const RABBIT_TABLES = ["exchanges", "queues", "consumers", "connections"] as const;
export type RabbitTable = typeof RABBIT_TABLES[number];

export interface RabbitState {
  data?: RabbitData;
  table: RabbitTable;
  /** Each table's selected row (an index into its filtered, sorted rows). */
  selected: Record<RabbitTable, number>;
  /** Each table's sort: a column index, and descending (numbers start biggest first). */
  sort: Record<RabbitTable, { column: number; descending: boolean }>;
  /** Enter: the selected row's every field, under the table. */
  detail: boolean;
  /** Queue ("vhost/name") -> its depth (ready + unacked) at the last readings, oldest first. */
  history: Record<string, number[]>;
  /** `:route KEY`: the key the explainer routes through the selected exchange (Esc clears). */
  routeKey?: string;
  /** `p` on a queue: asks the run loop to peek it (the run loop clears it). */
  peekRequest?: { vhost: string; queue: string };
  /** The last peek: waiting, or its messages or error (shown under its queue's table). */
  peek?: { vhost: string; queue: string; result?: PeekResult };
  /** A confirmed purge or delete: asks the run loop to perform it (the run loop clears it). */
  actionRequest?: RabbitAction;
}

/** What `:purge` and `:delete` (or P and D on the panel) do to the broker. */
export interface RabbitAction {
  op: "purge" | "delete-queue" | "delete-exchange";
  vhost: string;
  name: string;
}

/** Readings a sparkline keeps (one a second). */
export const HISTORY = 60;

export function initialRabbit(): RabbitState {
  const zero = { exchanges: 0, queues: 0, consumers: 0, connections: 0 };
  return {
    table: "queues",
    selected: zero,
    sort: {
      exchanges: { column: 0, descending: false },
      queues: { column: 0, descending: false },
      consumers: { column: 0, descending: false },
      connections: { column: 0, descending: false },
    },
    detail: false,
    history: {},
  };
}

export const queueKey = (q: { vhost: string; name: string }) => `${q.vhost}/${q.name}`;

/** A new reading: stored, and each queue's depth appended to its history. */
export function receiveRabbit(state: RabbitState, data: RabbitData): RabbitState {
  const history: Record<string, number[]> = {};
  for (const q of data.queues) {
    const key = queueKey(q);
    history[key] = [...(state.history[key] ?? []), q.ready + q.unacked].slice(-HISTORY);
  }
  return { ...state, data, history };
}

/** A peek's answer, kept if it is still the one asked for. */
export function receivePeek(state: RabbitState, result: PeekResult): RabbitState {
  const p = state.peek;
  if (!p || p.vhost !== result.vhost || p.queue !== result.queue) return state;
  return { ...state, peek: { ...p, result } };
}

export interface Column<Row> {
  title: string;
  width: Constraint;
  align?: "left" | "right";
  cell: (row: Row, state: RabbitState) => string;
  /** What the column sorts by (numbers or text). */
  key: (row: Row, state: RabbitState) => number | string;
}

const rate = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const yes = (b: boolean, letter: string) => (b ? letter : "-");

/** Depth history as eighth blocks (ASCII levels when asked), newest at the right. */
export function sparkText(values: readonly number[], width: number, levels: readonly string[]) {
  const data = values.slice(-width);
  const max = Math.max(0, ...data);
  const steps = levels.length - 1;
  return data.map((v) => {
    if (max === 0) return levels[0]!;
    const level = Math.round((v / max) * steps);
    return levels[v > 0 ? Math.max(1, level) : 0]!;
  }).join("");
}

const SPARK_WIDTH = 10;

export const EXCHANGE_COLUMNS: readonly Column<ExchangeRow>[] = [
  {
    title: "Name",
    width: { fill: 1 },
    cell: (e) => e.name || "(AMQP default)",
    key: (e) => e.name,
  },
  { title: "Type", width: { fixed: 7 }, cell: (e) => e.type, key: (e) => e.type },
  { title: "D", width: { fixed: 1 }, cell: (e) => yes(e.durable, "D"), key: (e) => +e.durable },
  {
    title: "Bind",
    width: { fixed: 4 },
    align: "right",
    cell: (e, s) => String(bindingsOf(s, "exchanges", e).length),
    key: (e, s) => bindingsOf(s, "exchanges", e).length,
  },
  {
    title: "In/s",
    width: { fixed: 7 },
    align: "right",
    cell: (e) => rate(e.inRate),
    key: (e) => e.inRate,
  },
  {
    title: "Out/s",
    width: { fixed: 7 },
    align: "right",
    cell: (e) => rate(e.outRate),
    key: (e) => e.outRate,
  },
];

export const QUEUE_COLUMNS: readonly Column<QueueRow>[] = [
  { title: "Name", width: { fill: 1 }, cell: (q) => q.name, key: (q) => q.name },
  {
    title: "DEA",
    width: { fixed: 3 },
    cell: (q) => yes(q.durable, "D") + yes(q.exclusive, "E") + yes(q.autoDelete, "A"),
    key: (q) => (q.durable ? 4 : 0) + (q.exclusive ? 2 : 0) + (q.autoDelete ? 1 : 0),
  },
  {
    title: "Ready",
    width: { fixed: 7 },
    align: "right",
    cell: (q) => String(q.ready),
    key: (q) => q.ready,
  },
  {
    title: "Unack",
    width: { fixed: 6 },
    align: "right",
    cell: (q) => String(q.unacked),
    key: (q) => q.unacked,
  },
  {
    title: "Cons",
    width: { fixed: 4 },
    align: "right",
    cell: (q) => String(q.consumers),
    key: (q) => q.consumers,
  },
  {
    title: "In/s",
    width: { fixed: 6 },
    align: "right",
    cell: (q) => rate(q.inRate),
    key: (q) => q.inRate,
  },
  {
    title: "Out/s",
    width: { fixed: 6 },
    align: "right",
    cell: (q) => rate(q.outRate),
    key: (q) => q.outRate,
  },
  {
    title: "Depth",
    width: { fixed: SPARK_WIDTH },
    cell: () => "",
    key: (q) => q.ready + q.unacked,
  },
];

export const CONSUMER_COLUMNS: readonly Column<ConsumerRow>[] = [
  { title: "Tag", width: { fill: 1 }, cell: (c) => c.tag, key: (c) => c.tag },
  { title: "Queue", width: { fill: 1 }, cell: (c) => c.queue, key: (c) => c.queue },
  { title: "Channel", width: { fill: 1 }, cell: (c) => c.channel, key: (c) => c.channel },
  {
    title: "Ack",
    width: { fixed: 6 },
    cell: (c) => (c.ackRequired ? "manual" : "auto"),
    key: (c) => +c.ackRequired,
  },
  {
    title: "Prefetch",
    width: { fixed: 8 },
    align: "right",
    cell: (c) => String(c.prefetch),
    key: (c) => c.prefetch,
  },
];

export const CONNECTION_COLUMNS: readonly Column<ConnectionRow>[] = [
  { title: "Name", width: { fill: 2 }, cell: (c) => c.name, key: (c) => c.name },
  { title: "User", width: { fixed: 8 }, cell: (c) => c.user, key: (c) => c.user },
  { title: "Client", width: { fill: 1 }, cell: (c) => c.client, key: (c) => c.client },
  {
    title: "Chan",
    width: { fixed: 4 },
    align: "right",
    cell: (c) => String(c.channels),
    key: (c) => c.channels,
  },
  { title: "State", width: { fixed: 7 }, cell: (c) => c.state, key: (c) => c.state },
];

// deno-lint-ignore no-explicit-any
type AnyRow = any;

export function columnsOf(table: RabbitTable): readonly Column<AnyRow>[] {
  switch (table) {
    case "exchanges":
      return EXCHANGE_COLUMNS;
    case "queues":
      return QUEUE_COLUMNS;
    case "consumers":
      return CONSUMER_COLUMNS;
    case "connections":
      return CONNECTION_COLUMNS;
  }
}

function rowsOf(data: RabbitData | undefined, table: RabbitTable): readonly AnyRow[] {
  return data ? data[table] : [];
}

/** The table's rows: those whose cells contain the filter (any case), in the table's sort. */
export function visibleRows(state: RabbitState, table: RabbitTable, filter: string): AnyRow[] {
  const columns = columnsOf(table);
  const needle = filter.trim().toLowerCase();
  const rows = rowsOf(state.data, table).filter((row) =>
    needle === "" ||
    columns.some((c) => c.cell(row, state).toLowerCase().includes(needle)) ||
    String(columns[0]!.key(row, state)).toLowerCase().includes(needle)
  );
  const { column, descending } = state.sort[table];
  const key = columns[column]?.key ?? columns[0]!.key;
  const name = (row: AnyRow) => columns[0]!.key(row, state);
  return rows.sort((a, b) => {
    const x = key(a, state);
    const y = key(b, state);
    const order = typeof x === "number" && typeof y === "number"
      ? x - y
      : String(x).localeCompare(String(y));
    // Ties keep a stable order by name, so rows do not jump between readings.
    return (descending ? -order : order) || String(name(a)).localeCompare(String(name(b)));
  });
}

export function selectedRow(state: RabbitState, filter: string): AnyRow | undefined {
  const rows = visibleRows(state, state.table, filter);
  return rows[Math.min(state.selected[state.table], rows.length - 1)];
}

/** The bindings of an exchange (as source) or a queue (as destination). */
export function bindingsOf(state: RabbitState, table: RabbitTable, row: AnyRow) {
  const bindings = state.data?.bindings ?? [];
  if (table === "exchanges") return bindings.filter((b) => b.source === row.name);
  if (table === "queues") {
    return bindings.filter((b) => b.destinationType === "queue" && b.destination === row.name);
  }
  return [];
}
