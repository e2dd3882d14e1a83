/**
 * Round trips per second through each IO model's echo server, with 100 and
 * 1 000 closed-loop connections (each sends `hello <n>` and waits for its
 * echo before the next), against a plain `Deno.listen` echo server measured
 * in the same run.
 *
 * Fair for every model alike: the load is the same lean epoll client
 * (`sockets_lean_load.ts`) on a Worker of its own, blocking its thread in
 * `epoll_wait`, for the reference and for every model; the server has the
 * rest of the machine (the reference, `async` and `nonblocking` on this
 * thread as on the lab's, `blocking` and `multiplexed` on their own
 * Workers as in the lab). Each run counts over a window that opens once
 * every connection is up.
 *
 * The machine is shared, so each model run is paired with a reference run
 * next to it (the order alternating), and a ratio is the median of the
 * pairs' ratios, shown with the lower quartile and the worst pair. Beside
 * rt/s, the CPU the process spent per round trip outside the load (µs), a
 * figure the other work on the machine hardly moves.
 *
 * `WARREN_BENCH_ROWS=WORD,...` keeps the cases whose label holds a word
 * (`async`, `multiplexed_epoll`, `watched`), `WARREN_BENCH_ROUNDS=N` sets the
 * pairs per case with a goal (7).
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
import { Hub } from "../src/lab/hub.ts";
import type { PollerName } from "../src/lab/sockets/poller.ts";
import type { ModelName } from "../src/lab/sockets/server.ts";
import { startEchoServer } from "../src/lab/sockets/start_server.ts";
import { ffiUnavailable } from "../src/lab/sockets/libc.ts";
import { errorMessage } from "../src/util/error_message.ts";
import { benchWatchCost } from "./sockets_watch.ts";

/** Each run's measuring window (after every connection is up). */
const DURATION_MS = 800;
const COUNTS = [100, 1000];

/** Runs the load against `port` on its own Worker. */
export function runLoad(
  port: number,
  connections: number,
  durationMs = DURATION_MS,
): Promise<LeanStats> {
  const worker = new Worker(new URL("./sockets_load_worker.ts", import.meta.url), {
    type: "module",
  });
  return new Promise<LeanStats>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<LoadReply>) => {
      const m = e.data;
      if ("error" in m) reject(new Error(m.error));
      else resolve(m.stats);
    };
    worker.onerror = (e) => {
      e.preventDefault();
      reject(new Error(e.message));
    };
    const request: LoadRequest = { port, connections, durationMs };
    worker.postMessage(request);
  }).finally(() => worker.terminate());
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

async function measureReference(connections: number): Promise<LeanStats> {
  const server = plainDenoEcho();
  try {
    return await runLoad(server.port, connections);
  } finally {
    await server.stop();
  }
}

/** The load's figures, and the most connections the server served at once. */
async function measureModel(
  model: ModelName,
  poller: PollerName | undefined,
  connections: number,
): Promise<{ stats: LeanStats; maxOpen: number }> {
  const hub = new Hub();
  const server = await startEchoServer(hub, { model, poller, port: 0 });
  try {
    const stats = await runLoad(server.port, connections);
    return { stats, maxOpen: server.ring.maxOpen };
  } finally {
    await server.stop();
    hub.close();
  }
}

const CASES: { label: string; model: ModelName; poller?: PollerName; goal?: number }[] = [
  { label: "multiplexed_epoll", model: "multiplexed", poller: "epoll", goal: 1.0 },
  { label: "multiplexed_select", model: "multiplexed", poller: "select" },
  { label: "async", model: "async", goal: 0.9 },
  { label: "nonblocking", model: "nonblocking" },
  { label: "blocking", model: "blocking" },
];

/**
 * (reference, model) pairs per case, the order alternating; the goals' cases get
 * more, as the machine is shared and one pair can land on a burst of other work.
 */
const ROUNDS = 3;
const GOAL_ROUNDS = Math.max(1, Number(Deno.env.get("WARREN_BENCH_ROUNDS") ?? 7) || 7);
const ROW_WORDS = (Deno.env.get("WARREN_BENCH_ROWS") ?? "").split(",").map((w) => w.trim())
  .filter((w) => w);
const selected = (label: string) =>
  ROW_WORDS.length === 0 || ROW_WORDS.some((w) => label.includes(w));

/** The value below which a fraction `q` of `xs` lie (nearest rank). */
export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] ?? 0;
}

const median = (xs: number[]) => quantile(xs, 0.5);
const round2 = (x: number) => Math.round(x * 100) / 100;

interface Pair {
  ref: LeanStats;
  model: LeanStats;
  maxOpen: number;
}

/** Each pair's model/reference ratio of `figure`. */
function ratios(pairs: Pair[], figure: (s: LeanStats) => number): number[] {
  return pairs.map((p) => figure(p.model) / figure(p.ref));
}

function reportCase(
  report: (result: BenchResult) => void,
  name: string,
  pairs: Pair[],
  goal: number | undefined,
): void {
  const rt = ratios(pairs, (s) => s.roundTripsPerS);
  report({
    name: `${name}_rt_per_s`,
    value: Math.round(median(pairs.map((p) => p.model.roundTripsPerS))),
    unit: "rt/s",
    ref: Math.round(median(pairs.map((p) => p.ref.roundTripsPerS))),
    // the median of the pairs' own ratios: a pair shares the machine's state of the moment
    ratio: median(rt),
    goal: goal === undefined ? undefined : `>= ${goal.toFixed(1)}x`,
  });
  // how reliable: 3 pairs in 4 did at least this well (and the worst one)
  report({ name: `${name}_ratio_low_quartile`, value: round2(quantile(rt, 0.25)), unit: "x" });
  report({ name: `${name}_ratio_worst`, value: round2(Math.min(...rt)), unit: "x" });
  // the work behind the figure, which the machine's other work hardly moves:
  // CPU of everything but the load per round trip (lower is better)
  report({
    name: `${name}_server_cpu_us_per_rt`,
    value: round2(median(pairs.map((p) => p.model.serverCpuUsPerRt))),
    unit: "µs",
    ref: round2(median(pairs.map((p) => p.ref.serverCpuUsPerRt))),
    ratio: median(ratios(pairs, (s) => s.serverCpuUsPerRt)),
  });
  report({ name: `${name}_p99_ms`, value: median(pairs.map((p) => p.model.p99)), unit: "ms" });
  // the blocking model's rate is one client's: this says how many it served at once
  report({
    name: `${name}_most_open`,
    value: median(pairs.map((p) => p.maxOpen)),
    unit: "conns",
  });
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
        const pairs: Pair[] = [];
        const rounds = c.goal === undefined ? ROUNDS : GOAL_ROUNDS;
        for (let round = 0; round < rounds; round++) {
          try {
            // the order alternates: whichever runs second in a pair is not always the same one
            let ref: LeanStats;
            let model: { stats: LeanStats; maxOpen: number };
            if (round % 2 === 0) {
              ref = await measureReference(connections);
              model = await measureModel(c.model, c.poller, connections);
            } else {
              model = await measureModel(c.model, c.poller, connections);
              ref = await measureReference(connections);
            }
            pairs.push({ ref, model: model.stats, maxOpen: model.maxOpen });
            refs.push(ref.roundTripsPerS);
          } catch (error) {
            console.error(`sockets bench: ${c.label}: ${errorMessage(error)}`);
          }
        }
        if (pairs.length > 0) {
          reportCase(report, `sockets_${c.label}_${connections}c`, pairs, c.goal);
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
    if (ffi === null && selected("watched")) await benchWatchCost(runLoad, report);
  },
};
