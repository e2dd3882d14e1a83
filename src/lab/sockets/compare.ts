/**
 * `:compare`'s engine: the same load against each model in turn, then one
 * row per model (round trips/s, p50, p99, most connections served at once,
 * loop busy) with a one-line reading in the lesson's terms. Each connection
 * does a fixed number of round trips and leaves, so the blocking model,
 * which serves one connection at a time, finishes too.
 */
import type { Hub } from "../hub.ts";
import { EV_EAGAIN } from "./event_ring.ts";
import { ffiUnavailable } from "./libc.ts";
import { startLoad } from "./load_client.ts";
import { type ModelName, MODELS } from "./server.ts";
import { startEchoServer } from "./start_server.ts";
import { errorMessage } from "../../util/error_message.ts";

export interface CompareOptions {
  /** Connections per model (default 100). */
  connections?: number;
  /** Round trips per connection (default 20). */
  rounds?: number;
  /** A model's run stops after this long whatever is left (default 10 s). */
  durationMs?: number;
}

export interface CompareRow {
  model: ModelName;
  /** Null when the model could not run (its one line is in `reading`). */
  roundTripsPerS: number | null;
  p50Ms: number;
  p99Ms: number;
  mostAtOnce: number;
  /** Share of the run the server's loop was busy (0..1); null where not measured (blocking). */
  busy: number | null;
  errors: number;
  reading: string;
}

function reading(model: ModelName, mostAtOnce: number, eagain: number, busy: number): string {
  const pct = `${Math.round(busy * 100)}%`;
  switch (model) {
    case "blocking":
      return `serves one connection at a time (most at once: ${mostAtOnce}); ` +
        `the others wait in the listen backlog`;
    case "nonblocking":
      return `serves everyone from one thread but burns CPU polling: ` +
        `${eagain.toLocaleString("en-US")} EAGAINs, loop busy ${pct}`;
    case "multiplexed":
      return `serves everyone (${mostAtOnce} at once) from one thread, ` +
        `woken by the kernel only for ready sockets (loop busy ${pct})`;
    case "async":
      return `serves everyone (${mostAtOnce} at once) from one thread, ` +
        `one coroutine per connection (here that thread runs the load's clients too)`;
  }
}

/** Runs each model in turn on a free port; `onRow` sees each row as it is done. */
export async function compareModels(
  hub: Hub,
  options: CompareOptions = {},
  onRow: (row: CompareRow) => void = () => {},
): Promise<CompareRow[]> {
  const rows: CompareRow[] = [];
  const ffi = ffiUnavailable();
  for (const model of MODELS) {
    let row: CompareRow;
    if (model !== "async" && ffi !== null) {
      row = failedRow(model, ffi);
    } else {
      try {
        row = await runOne(hub, model, options);
      } catch (error) {
        row = failedRow(model, errorMessage(error));
      }
    }
    rows.push(row);
    onRow(row);
  }
  return rows;
}

function failedRow(model: ModelName, why: string): CompareRow {
  return {
    model,
    roundTripsPerS: null,
    p50Ms: 0,
    p99Ms: 0,
    mostAtOnce: 0,
    busy: null,
    errors: 0,
    reading: why,
  };
}

async function runOne(hub: Hub, model: ModelName, options: CompareOptions): Promise<CompareRow> {
  const server = await startEchoServer(hub, { model, port: 0 });
  try {
    const started = performance.now();
    const stats = await startLoad(hub, {
      port: server.port,
      connections: options.connections ?? 100,
      rounds: options.rounds ?? 20,
      durationMs: options.durationMs ?? 10_000,
      fdsPerConnection: 2, // both ends are in this process
      group: `compare ${model}`,
    }).done();
    // a share of the run, at most all of it (the loop's own timing can round past)
    const busy = Math.min(1, server.ring.busyMs / Math.max(1, performance.now() - started));
    const mostAtOnce = server.ring.maxOpen;
    return {
      model,
      roundTripsPerS: stats.roundTripsPerS,
      p50Ms: stats.latency.p50,
      p99Ms: stats.latency.p99,
      mostAtOnce,
      busy: model === "blocking" ? null : busy,
      errors: Object.values(stats.errors).reduce((a, b) => a + b, 0),
      reading: reading(model, mostAtOnce, server.ring.total(EV_EAGAIN), busy),
    };
  } finally {
    await server.stop();
  }
}
