/**
 * Round trips per second through each IO model's echo server, with 100 and
 * 1 000 closed-loop connections (each sends `hello <n>` and waits for its
 * echo before the next), against a plain `Deno.listen` echo server measured
 * in the same run.
 *
 * Fair for every model alike: the load is the same lean epoll client
 * (`sockets_lean_load.ts`) on a Worker of its own, blocking its thread in
 * `epoll_wait`, for the reference and for every model; the servers have the
 * rest of the machine (the reference, `async` and `nonblocking` on this
 * thread as on the lab's, `blocking` and `multiplexed` on their own
 * Workers as in the lab). Nothing counts until every connection is up.
 *
 * The machine is shared, and its speed swings by 2x from one second to the
 * next, so runs one after the other disagree by 30% whatever the servers.
 * So the reference and the model are up at once and the load takes turns
 * between them in slices (50 ms warm-up, 100 ms measured), many rounds, the
 * order alternating: both go through the same moments
 * (`sockets_interleaved_load.ts`). A ratio is the geometric mean of the
 * rounds' ratios, taken two by two (one round of each order: see
 * `ratios.ts`), shown with the lower quartile and the worst pair. The
 * non-blocking model polls while idle and the blocking one holds one
 * connection at a time: each of their runs is paired with a reference run
 * next to it instead. Beside rt/s, the CPU the process spent per round trip
 * outside the load (µs).
 *
 * `WARREN_BENCH_ROWS=WORD,...` keeps the cases whose label holds a word
 * (`async`, `multiplexed_epoll`, `watched`), `WARREN_BENCH_ROUNDS=N` sets the
 * rounds per case with a goal (30), `WARREN_BENCH_CONNECTIONS=N,...` the
 * connection counts (100,1000).
 *
 * Goals (issue 11): multiplexed >= 1.0x the reference, async >= 0.9x, and
 * the dashboard watching the multiplexed server costs it at most 10%
 * (`sockets_watch.ts`). The blocking model serves one connection at a time:
 * with closed-loop clients that never leave, its figure is one client's,
 * which is the lesson.
 */
import type { BenchResult, BenchSuite } from "./harness.ts";
import type { LoadReply, LoadRequest } from "./sockets_load_worker.ts";
import type { LeanStats } from "./sockets_lean_load.ts";
import type { SlicedStats, SliceOptions } from "./sockets_interleaved_load.ts";
import { Hub } from "../src/lab/hub.ts";
import type { PollerName } from "../src/lab/sockets/poller.ts";
import type { EchoServer, ModelName } from "../src/lab/sockets/server.ts";
import { startEchoServer } from "../src/lab/sockets/start_server.ts";
import { ffiUnavailable } from "../src/lab/sockets/libc.ts";
import { errorMessage } from "../src/util/error_message.ts";
import { benchWatchCost } from "./sockets_watch.ts";
import { geomean, median, quantile, ratioPerRoundPair, round2 } from "./ratios.ts";

/** Each run's measuring window (after every connection is up). */
const DURATION_MS = 800;
/** Connections per run: 100 and 1 000, or `WARREN_BENCH_CONNECTIONS=N,...`. */
const COUNTS = (Deno.env.get("WARREN_BENCH_CONNECTIONS") ?? "100,1000").split(",").map(Number)
  .filter((n) => Number.isInteger(n) && n > 0);

/** Runs one load request on a Worker of its own; `onSlice` hears each slice's start. */
function onLoadWorker(
  request: LoadRequest,
  onSlice?: (server: number) => void,
): Promise<LoadReply> {
  const worker = new Worker(new URL("./sockets_load_worker.ts", import.meta.url), {
    type: "module",
  });
  return new Promise<LoadReply>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<LoadReply>) => {
      const m = e.data;
      if ("slice" in m) onSlice?.(m.slice);
      else if ("error" in m) reject(new Error(m.error));
      else resolve(m);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(e.message));
    };
    worker.postMessage(request);
  }).finally(() => worker.terminate());
}

/** Runs the load against `port` on its own Worker. */
async function runLoad(
  port: number,
  connections: number,
  durationMs = DURATION_MS,
): Promise<LeanStats> {
  const reply = await onLoadWorker({ port, connections, durationMs });
  if (!("stats" in reply)) throw new Error("the load answered with no figures");
  return reply.stats;
}

/** Runs the load against each of `ports` in turn, in slices (sockets_interleaved_load.ts). */
export async function runSlicedLoad(
  ports: number[],
  connections: number,
  slices: SliceOptions,
  onSlice?: (server: number) => void,
): Promise<SlicedStats[]> {
  const reply = await onLoadWorker(
    { ports, connections, slices, announce: onSlice !== undefined },
    onSlice,
  );
  if (!("sliced" in reply)) throw new Error("the load answered with no figures");
  return reply.sliced;
}

/** The reference: the plainest echo server Deno can be, one async function per connection. */
function plainDenoEcho(): { port: number; stop: () => Promise<void> } {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns = new Set<Deno.Conn>();
  const serving: Promise<void>[] = [];
  const serve = async (conn: Deno.Conn) => {
    const buf = new Uint8Array(16 * 1024);
    try {
      for (;;) {
        const n = await conn.read(buf);
        if (n === null) break;
        let off = 0;
        while (off < n) off += await conn.write(buf.subarray(off, n));
      }
    } catch {
      // reset or closed by stop
    } finally {
      conns.delete(conn);
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  };
  const accepting = (async () => {
    try {
      for await (const conn of listener) {
        conns.add(conn);
        serving.push(serve(conn));
      }
    } catch {
      // listener closed
    }
  })();
  return {
    port: listener.addr.port,
    stop: async () => {
      listener.close();
      for (const c of conns) {
        try {
          c.close();
        } catch {
          // closed
        }
      }
      await accepting;
      await Promise.all(serving);
    },
  };
}

/** One comparison of the model with the reference: a round of slices, or two runs in a row. */
interface Pair {
  refRt: number;
  modelRt: number;
  /** CPU µs per round trip (see LeanStats.serverCpuUsPerRt). */
  refCpu: number;
  modelCpu: number;
}

/** A case's comparisons, the model's p99 (ms) and the most connections it served at once. */
interface CaseFigures {
  pairs: Pair[];
  p99: number;
  maxOpen: number;
}

interface Case {
  label: string;
  model: ModelName;
  poller?: PollerName;
  goal?: number;
  /** Measured in slices beside the reference (it does nothing while its clients are quiet). */
  sliced: boolean;
}

const CASES: Case[] = [
  { label: "multiplexed_epoll", model: "multiplexed", poller: "epoll", goal: 1.0, sliced: true },
  { label: "multiplexed_select", model: "multiplexed", poller: "select", sliced: true },
  { label: "async", model: "async", goal: 0.9, sliced: true },
  // it polls while idle, so it would slow the reference's slices down
  { label: "nonblocking", model: "nonblocking", sliced: false },
  // it holds one connection at a time: the others wait in the backlog
  { label: "blocking", model: "blocking", sliced: false },
];

/** Each slice's warm-up and measuring window (ms; see sockets_interleaved_load.ts). */
const WARM_MS = 50;
const MEASURE_MS = 100;
/** Rounds of slices (or pairs of runs) per case; the goals' cases get more. */
const ROUNDS = 8;
const PAIRED_ROUNDS = 2;
/** Even: as many rounds with the model first as with the reference first. */
const GOAL_ROUNDS = 2 *
  Math.max(1, Math.ceil((Number(Deno.env.get("WARREN_BENCH_ROUNDS")) || 30) / 2));
const ROW_WORDS = (Deno.env.get("WARREN_BENCH_ROWS") ?? "").split(",").map((w) => w.trim())
  .filter((w) => w);
const selected = (label: string) =>
  ROW_WORDS.length === 0 || ROW_WORDS.some((w) => label.includes(w));

/** The model's server on a hub of its own, for `use`, stopped after. */
async function withModel<T>(
  c: Case,
  use: (server: EchoServer) => Promise<T>,
): Promise<T> {
  const hub = new Hub();
  try {
    const server = await startEchoServer(hub, { model: c.model, poller: c.poller, port: 0 });
    try {
      return await use(server);
    } finally {
      await server.stop();
    }
  } finally {
    hub.close();
  }
}

/** Both servers up at once, the load taking turns between them (sockets_interleaved_load.ts). */
async function measureSliced(c: Case, connections: number, rounds: number): Promise<CaseFigures> {
  const ref = plainDenoEcho();
  try {
    return await withModel(c, async (server) => {
      const [r, m] = await runSlicedLoad([ref.port, server.port], connections, {
        warmMs: WARM_MS,
        measureMs: MEASURE_MS,
        rounds,
      });
      const pairs = r!.perRound.map((refRt, i) => ({
        refRt,
        modelRt: m!.perRound[i]!,
        refCpu: r!.perRoundCpuUs[i]!,
        modelCpu: m!.perRoundCpuUs[i]!,
      }));
      return { pairs, p99: m!.p99, maxOpen: server.ring.maxOpen };
    });
  } finally {
    await ref.stop();
  }
}

async function measureReference(connections: number): Promise<LeanStats> {
  const server = plainDenoEcho();
  try {
    return await runLoad(server.port, connections);
  } finally {
    await server.stop();
  }
}

/** One run after the other, the order alternating. */
async function measurePaired(c: Case, connections: number, rounds: number): Promise<CaseFigures> {
  const pairs: Pair[] = [];
  const p99s: number[] = [];
  const opens: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let ref: LeanStats | null = null;
    if (round % 2 === 0) ref = await measureReference(connections);
    const model = await withModel(c, async (server) => {
      const stats = await runLoad(server.port, connections);
      opens.push(server.ring.maxOpen);
      return stats;
    });
    ref ??= await measureReference(connections);
    p99s.push(model.p99);
    pairs.push({
      refRt: ref.roundTripsPerS,
      modelRt: model.roundTripsPerS,
      refCpu: ref.serverCpuUsPerRt,
      modelCpu: model.serverCpuUsPerRt,
    });
  }
  return { pairs, p99: median(p99s), maxOpen: median(opens) };
}

function reportCase(
  report: (result: BenchResult) => void,
  name: string,
  figures: CaseFigures,
  goal: number | undefined,
): void {
  const pairs = figures.pairs;
  const rt = ratioPerRoundPair(pairs.map((p) => p.modelRt / p.refRt));
  report({
    name: `${name}_rt_per_s`,
    value: Math.round(median(pairs.map((p) => p.modelRt))),
    unit: "rt/s",
    ref: Math.round(median(pairs.map((p) => p.refRt))),
    // each round's ratio is of two moments side by side; as many rounds of each order
    ratio: geomean(rt),
    goal: goal === undefined ? undefined : `>= ${goal.toFixed(1)}x`,
  });
  // how reliable: 3 pairs of rounds in 4 did at least this well (and the worst one)
  report({ name: `${name}_ratio_low_quartile`, value: round2(quantile(rt, 0.25)), unit: "x" });
  report({ name: `${name}_ratio_worst`, value: round2(Math.min(...rt)), unit: "x" });
  // the work behind the figure: CPU of everything but the load per round trip (lower is better)
  report({
    name: `${name}_server_cpu_us_per_rt`,
    value: round2(median(pairs.map((p) => p.modelCpu))),
    unit: "µs",
    ref: round2(median(pairs.map((p) => p.refCpu))),
    ratio: geomean(pairs.map((p) => p.modelCpu / p.refCpu)),
  });
  report({ name: `${name}_p99_ms`, value: figures.p99, unit: "ms" });
  // the blocking model's rate is one client's: this says how many it served at once
  report({ name: `${name}_most_open`, value: figures.maxOpen, unit: "conns" });
}

export const socketsBench: BenchSuite = {
  name: "sockets",
  description: "echo round trips/s per IO model vs a plain Deno.listen echo server",
  async run(report) {
    const ffi = ffiUnavailable();
    if (ffi !== null) console.error(`sockets bench: FFI models skipped: ${ffi}`);
    for (const connections of COUNTS) {
      // select cannot watch fds past 1024; 1 000 clients in this process take more
      const cases = CASES.filter((c) =>
        (c.model === "async" || ffi === null) && !(c.poller === "select" && connections > 500) &&
        selected(c.label)
      );
      const refs: number[] = [];
      for (const c of cases) {
        const rounds = c.goal !== undefined ? GOAL_ROUNDS : c.sliced ? ROUNDS : PAIRED_ROUNDS;
        try {
          const figures = c.sliced
            ? await measureSliced(c, connections, rounds)
            : await measurePaired(c, connections, rounds);
          reportCase(report, `sockets_${c.label}_${connections}c`, figures, c.goal);
          for (const p of figures.pairs) refs.push(p.refRt);
        } catch (error) {
          console.error(`sockets bench: ${c.label}: ${errorMessage(error)}`);
        }
      }
      if (refs.length === 0) continue;
      report({
        name: `sockets_plain_deno_${connections}c_rt_per_s`,
        value: Math.round(median(refs)),
        unit: "rt/s",
      });
    }
    // what the dashboard watching the event stream costs the server
    if (ffi === null && selected("watched")) await benchWatchCost(runSlicedLoad, report);
  },
};
