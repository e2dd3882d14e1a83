/**
 * The sockets part of the lab's interface (types only, imports nothing):
 * what the Sockets panel asks for and what each snapshot carries about
 * echo servers, their connections and events, the load and the comparison.
 * Every list is bounded, so 10 000 connections cost the UI one page.
 */

/** What the Sockets panel wants; sent (partially) with `sockets-view`, echoed in each snapshot. */
export interface SocketsViewRequest {
  /** The server whose connections, events and counts are sent (its name); null: the newest. */
  server: string | null;
  /** Event kinds to send (`READABLE`, ...); empty: every kind. */
  kinds: string[];
  /** Only this connection's events; null: every connection's. */
  conn: number | null;
  /** The window of connections: first row (0-based) and how many (at most 200). */
  offset: number;
  limit: number;
}

export interface SocketServerRow {
  /** `multiplexed:8001`: what `stop-socket` and `server` name it by. */
  name: string;
  model: string;
  port: number;
  poller: string | null;
  open: number;
  maxOpen: number;
  accepted: number;
  roundTripsPerS: number;
  bytesPerS: number;
  /** Share of the last interval its loop was busy (0..1; the blocking model's is 0). */
  busy: number;
  eagainPerS: number;
  /** Events recorded since it started (exact). */
  events: number;
}

export interface SocketConnectionRow {
  id: number;
  /** -1 where Deno's sockets hide it (async). */
  fd: number;
  peer: string;
  state: string;
  bytesIn: number;
  bytesOut: number;
  /** Kind name of its last event. */
  lastEvent: string;
  /** The hub task serving it (async), 0 for none. */
  taskId: number;
}

export interface SocketEventRow {
  seq: number;
  kind: string;
  conn: number;
  /** `12:00:01.123 #3 fd 7 READ 12`. */
  text: string;
}

export interface LoadStatus {
  port: number;
  state: "running" | "done";
  /** The load's one line (connected, rt/s, bytes/s, percentiles, errors). */
  summary: string;
  connections: number;
  connected: number;
  open: number;
  roundTripsPerS: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-empty latency buckets as [upper bound ms, count], at most 40. */
  histogram: [number, number][];
}

export interface CompareRowView {
  model: string;
  roundTripsPerS: number | null;
  p50Ms: number;
  p99Ms: number;
  mostAtOnce: number;
  busy: number | null;
  errors: number;
  /** The row read in the lesson's terms, one line. */
  reading: string;
}

export interface CompareStatus {
  state: "running" | "done" | "failed";
  connections: number;
  /** Rows done so far, in model order. */
  rows: CompareRowView[];
  error: string | null;
}

export interface SocketsSnapshot {
  view: SocketsViewRequest;
  servers: SocketServerRow[];
  /** The server the connections, events and counts belong to, or null. */
  shown: string | null;
  connections: { total: number; offset: number; rows: SocketConnectionRow[] };
  /**
   * Matching events since the previous snapshot, oldest first (at most 200;
   * `dropped` counts those skipped, ring overruns included).
   */
  events: { rows: SocketEventRow[]; dropped: number };
  /** Exact per-second counts of the shown server, oldest first, the current second last. */
  perSecond: { kinds: readonly string[]; seconds: number[][] };
  load: LoadStatus | null;
  compare: CompareStatus | null;
}
