/**
 * Round trips per second through each IO model's echo server, with 100 and
 * 1 000 closed-loop connections (each sends `hello <n>` and waits for its
 * echo before the next), against a plain `Deno.listen` echo server measured
 * in the same run: every model run is paired with a reference run just before
 * it, three rounds; each figure (and its reference) is the median of its runs.
 *
 * The load runs on a Worker of its own (`sockets_load_worker.ts`); the
 * servers run on this thread, as they run on the lab's. Goals (issue 11):
 * multiplexed >= 1.0x the reference, async >= 0.9x, and the dashboard
 * watching the multiplexed server costs it at most 10% (`sockets_watch.ts`). The blocking model
 * serves one connection at a time: with closed-loop clients that never
 * leave, its figure is one client's, which is the lesson.
 */
import type { BenchSuite } from "./harness.ts";
import type { LoadReply, LoadRequest } from "./sockets_load_worker.ts";
import type { LeanStats } from "./sockets_lean_load.ts";
import { Hub } from "../src/lab/hub.ts";
import type { PollerName } from "../src/lab/sockets/poller.ts";
import type { ModelName } from "../src/lab/sockets/server.ts";
import { startEchoServer } from "../src/lab/sockets/start_server.ts";
import { ffiUnavailable } from "../src/lab/sockets/libc.ts";
import { errorMessage } from "../src/util/error_message.ts";
import { benchWatchCost } from "./sockets_watch.ts";

const DURATION_MS = 1200;
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

async function measureReference(connections: number): Promise<number> {
  const server = plainDenoEcho();
  try {
    return (await runLoad(server.port, connections)).roundTripsPerS;
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

/** Rounds of (reference, model) pairs; medians resist the other work on a shared machine. */
const ROUNDS = 3;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] ?? 0;
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
        (c.model === "async" || ffi === null) && !(c.poller === "select" && connections > 500)
      );
      // each model's run is paired with a reference run right before it, so drift in
      // what else the machine does hits both sides of a ratio alike
      const refs = new Map<string, number[]>(cases.map((c) => [c.label, []]));
      const rates = new Map<string, number[]>(cases.map((c) => [c.label, []]));
      const p99s = new Map<string, number[]>(cases.map((c) => [c.label, []]));
      const served = new Map<string, number[]>(cases.map((c) => [c.label, []]));
      const allRefs: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        for (const c of cases) {
          try {
            const ref = await measureReference(connections);
            const { stats, maxOpen } = await measureModel(c.model, c.poller, connections);
            allRefs.push(ref);
            refs.get(c.label)!.push(ref);
            rates.get(c.label)!.push(stats.roundTripsPerS);
            p99s.get(c.label)!.push(stats.p99);
            served.get(c.label)!.push(maxOpen);
          } catch (error) {
            console.error(`sockets bench: ${c.label}: ${errorMessage(error)}`);
          }
        }
      }
      report({
        name: `sockets_plain_deno_${connections}c_rt_per_s`,
        value: Math.round(median(allRefs)),
        unit: "rt/s",
      });
      for (const c of cases) {
        const values = rates.get(c.label)!;
        if (values.length === 0) continue;
        report({
          name: `sockets_${c.label}_${connections}c_rt_per_s`,
          value: Math.round(median(values)),
          unit: "rt/s",
          ref: Math.round(median(refs.get(c.label)!)),
          goal: c.goal === undefined ? undefined : `>= ${c.goal.toFixed(1)}x`,
        });
        report({
          name: `sockets_${c.label}_${connections}c_p99_ms`,
          value: median(p99s.get(c.label)!),
          unit: "ms",
        });
        // the blocking model's rate is one client's: this says how many it served at once
        report({
          name: `sockets_${c.label}_${connections}c_most_open`,
          value: median(served.get(c.label)!),
          unit: "conns",
        });
      }
    }
    // what the dashboard watching the event stream costs the server
    if (ffi === null) await benchWatchCost(runLoad, report);
  },
};
