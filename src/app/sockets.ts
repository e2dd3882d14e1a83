/**
 * The Sockets panel's state: the latest sockets part of a snapshot, the
 * event stream kept as lines (paused or following), the selected connection
 * and the server in view. Like the task table, the connections table is a
 * window the lab fills: the panel says which rows and which events it wants
 * with `sockets-view`, so 10 000 connections cost the UI one page.
 */
import type { Rect } from "../tui/buffer.ts";
import { splitCols, splitRows } from "../tui/layout.ts";
import { LogRing, logTop, type LogViewState, logViewState } from "../tui/widgets/log_view.ts";
import type { LabCommand, SocketsSnapshot, SocketsViewRequest } from "../lab/protocol.ts";
// The lab's own list of event kinds: the `/` filter accepts exactly the names the lab sends.
import { KIND_NAMES } from "../lab/sockets/event_ring.ts";

export interface SocketsState {
  snapshot?: SocketsSnapshot;
  /** The event stream as lines (owned by this state, append-only). */
  events: LogRing;
  /** Following the newest events, or scrolled back to older ones. */
  log: LogViewState;
  /** Space freezes the stream: events that arrive meanwhile are counted, not kept. */
  paused: boolean;
  /** Events not shown: skipped while paused, or dropped by the lab when they came too fast. */
  skipped: number;
  /** Absolute index of the selected connection. */
  selected: number;
  /** The server in view (its name), null for the newest. */
  server: string | null;
  /** The comparison table replaces connections and events (`:compare`, `t`). */
  showCompare: boolean;
  sentView?: SocketsViewRequest;
}

export function initialSockets(): SocketsState {
  return {
    events: new LogRing(1000),
    log: logViewState(),
    paused: false,
    skipped: 0,
    selected: 0,
    server: null,
    showCompare: false,
  };
}

export interface SocketsLayout {
  servers: Rect;
  /** The load's line (wrapped), or hints when there is none. */
  load: Rect;
  sparklines: Rect;
  connections: Rect;
  events: Rect;
  /** The latency histogram (beside the events, or a column of its own on a wide screen). */
  histogram: Rect;
  /** Where the comparison table goes when it is shown (the load, counts and tables make room). */
  compare: Rect;
}

/**
 * At 80x22: servers (header + 2), the load (2 rows), one row of sparklines,
 * connections (header + 4) and the event stream beside the histogram. A
 * large terminal gives the table and the stream the extra rows and the
 * histogram a column of its own.
 */
export function socketsLayout(area: Rect): SocketsLayout {
  const wide = area.width >= 120;
  const [main, side] = wide
    ? splitCols(area, [{ fill: 1 }, { fixed: 34 }]) as [Rect, Rect]
    : [area, undefined];
  const tall = area.height >= 36;
  const [servers, load, sparklines, connections, events] = splitRows(main, [
    { fixed: tall ? 5 : 3 },
    { fixed: 2 },
    { fixed: 1 },
    { percent: 40 },
    { fill: 1 },
  ]) as [Rect, Rect, Rect, Rect, Rect];
  // the comparison takes everything below the servers: its readings are read whole
  const compare = { ...main, y: load.y, height: main.y + main.height - load.y };
  if (side) {
    return { servers, load, sparklines, connections, events, histogram: side, compare };
  }
  const [stream, histogram] = splitCols(events, [{ fill: 1 }, { fixed: 26 }]) as [Rect, Rect];
  return { servers, load, sparklines, connections, events: stream, histogram, compare };
}

/** Connection rows that fit under the table's header. */
export function connectionPage(layout: SocketsLayout): number {
  return Math.max(1, layout.connections.height - 1);
}

/** The `/` filter as the lab reads it: kind names and `#N` for a connection. */
export function parseEventFilter(text: string): {
  kinds: string[];
  conn: number | null;
  ignored: string[];
} {
  const kinds: string[] = [];
  let conn: number | null = null;
  const ignored: string[] = [];
  for (const word of text.split(/[\s,]+/).filter((w) => w !== "")) {
    const kind = KIND_NAMES.find((k) => k === word.toUpperCase());
    const id = /^#(\d+)$/.exec(word);
    if (kind) kinds.push(kind);
    else if (id) conn = Number(id[1]);
    else ignored.push(word);
  }
  return { kinds, conn, ignored };
}

export function desiredSocketsView(
  state: SocketsState,
  layout: SocketsLayout,
  filter: string,
): SocketsViewRequest {
  const limit = connectionPage(layout);
  const total = state.snapshot?.connections.total ?? 0;
  const previous = Math.min(state.sentView?.offset ?? 0, Math.max(0, total - limit));
  const offset = Math.max(
    0,
    Math.min(Math.max(previous, state.selected - limit + 1), state.selected),
  );
  const { kinds, conn } = parseEventFilter(filter);
  return { server: state.server, kinds, conn, offset, limit };
}

/**
 * A `sockets-view` command when the wanted view differs from the one sent;
 * a new event filter or server starts the stream afresh (older lines were
 * chosen by the old one).
 */
export function syncSocketsView(
  state: SocketsState,
  view: SocketsViewRequest,
): { state: SocketsState; command?: LabCommand } {
  const sent = state.sentView;
  if (JSON.stringify(view) === JSON.stringify(sent)) return { state };
  const stream = (v?: SocketsViewRequest) => JSON.stringify([v?.server, v?.kinds, v?.conn]);
  const fresh = sent !== undefined && stream(view) !== stream(sent);
  const next: SocketsState = fresh
    ? { ...state, sentView: view, events: new LogRing(1000), log: logViewState(), skipped: 0 }
    : { ...state, sentView: view };
  return { state: next, command: { type: "sockets-view", view } };
}

/** Stores a snapshot's sockets part: events appended (unless paused), the selection kept. */
export function receiveSockets(state: SocketsState, part: SocketsSnapshot): SocketsState {
  let skipped = state.skipped + part.events.dropped;
  if (state.paused) skipped += part.events.rows.length;
  else {
    if (part.events.dropped > 0) {
      state.events.push({
        text: `... ${part.events.dropped} events skipped (too many to show)`,
        style: { dim: true },
      });
    }
    for (const e of part.events.rows) state.events.push(e.text);
  }
  const total = part.connections.total;
  const selected = Math.min(state.selected, Math.max(0, total - 1));
  // A comparison just finished: its table comes into view.
  const finished = part.compare?.state === "done" && state.snapshot?.compare?.state === "running";
  return {
    ...state,
    snapshot: part,
    skipped,
    selected,
    showCompare: state.showCompare || finished,
  };
}

/** The selected connection's row, if it is in the window the lab sent. */
export function selectedConnection(state: SocketsState) {
  const c = state.snapshot?.connections;
  return c?.rows[state.selected - c.offset];
}

/** The top event line shown, for keys that scroll the stream. */
export function eventsTop(state: SocketsState, layout: SocketsLayout): number {
  return logTop(state.log, state.events, layout.events.height - 1);
}
