/**
 * The Sockets panel as the app sees it, without a Worker: a sockets part of
 * a snapshot (servers, connections, events, counts, a load) and an app state
 * that has received it.
 */
import { initialState } from "../../../src/app/model.ts";
import type { AppState } from "../../../src/app/model.ts";
import type {
  SocketConnectionRow,
  SocketEventRow,
  SocketsSnapshot,
} from "../../../src/lab/protocol.ts";
import { KIND_NAMES } from "../../../src/lab/sockets/event_ring.ts";
import { snapshot } from "./lab_fixtures.ts";
import { run } from "./run.ts";

/** The lab's event kinds, in its order. */
export const KINDS = KIND_NAMES;

export function connection(id: number, over: Partial<SocketConnectionRow> = {}) {
  return {
    id,
    fd: 10 + id,
    peer: `127.0.0.1:${40000 + id}`,
    state: "open",
    bytesIn: 1200 * id,
    bytesOut: 1200 * id,
    lastEvent: "WRITE",
    taskId: 0,
    ...over,
  };
}

export function event(seq: number, kind: string, conn: number): SocketEventRow {
  return { seq, kind, conn, text: `12:00:0${seq % 10}.123 #${conn} fd ${10 + conn} ${kind}` };
}

export function socketsPart(over: Partial<SocketsSnapshot> = {}): SocketsSnapshot {
  const connections = Array.from({ length: 4 }, (_, i) => connection(i + 1));
  return {
    view: { server: null, kinds: [], conn: null, offset: 0, limit: 4 },
    servers: [{
      name: "multiplexed:8001",
      model: "multiplexed",
      port: 8001,
      poller: "epoll",
      open: 100,
      maxOpen: 100,
      accepted: 100,
      roundTripsPerS: 12345,
      bytesPerS: 98765,
      busy: 0.42,
      eagainPerS: 0,
      events: 54321,
    }],
    shown: "multiplexed:8001",
    connections: { total: 100, offset: 0, rows: connections },
    events: {
      rows: [event(1, "ACCEPT", 1), event(2, "READABLE", 1), event(3, "READ", 1)],
      dropped: 0,
    },
    perSecond: {
      kinds: KINDS,
      seconds: Array.from({ length: 60 }, (_, s) => KINDS.map((_, k) => (k === 1 ? s * 10 : 0))),
    },
    load: {
      port: 8001,
      state: "running",
      summary: "100/100 connected  12,000 rt/s  96.0 kB/s  p50 1.20 ms  p90 2.00 ms  " +
        "p99 4.00 ms  max 9.10 ms",
      connections: 100,
      connected: 100,
      open: 100,
      roundTripsPerS: 12000,
      p50Ms: 1.2,
      p99Ms: 4,
      histogram: [[0.5, 10], [1, 300], [2, 500], [4, 90], [8, 5]],
    },
    compare: null,
    ...over,
  };
}

/** The Sockets panel with a running lab that sent `part`. */
export function socketsState(
  part: SocketsSnapshot = socketsPart(),
  size: { width?: number; height?: number } = {},
): AppState {
  return run(
    initialState({ panel: "sockets", ...size }),
    { type: "lab-started" },
    { type: "lab", message: { type: "snapshot", snapshot: snapshot([], { sockets: part }) } },
  );
}
