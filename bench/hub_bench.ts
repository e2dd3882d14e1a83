/**
 * Coroutine hub benchmarks, each with a raw JS generator reference measured
 * in the same run (so the ratio shows what the scheduler and its always-on
 * instrumentation cost over bare `generator.next()`):
 *
 * - hub_switch_per_s: two tasks ping-ponging with switchTo (goal >= 10M/s);
 *   ref: two generators resumed alternately by a plain loop.
 * - hub_spawn_per_s: 1M tasks spawned and run to completion (goal: 1M in
 *   < 2 s, i.e. >= 500k/s); ref: 1M generators created and run to the end.
 * - hub_io_wait_rt_per_s: the async echo model's round trips, one `waitFor`
 *   each, on stand-in sockets (hub_io.ts); ref: the same echoes chained
 *   with no hub.
 * - hub_sleeping_100k_mb: heap (+ typed-array) growth for 100k tasks asleep
 *   in `sleep()` (goal < 150 MB); ref: 100k suspended generators.
 *   Exact with `--v8-flags=--expose-gc`; without it garbage can inflate it.
 */
import type { BenchSuite } from "./harness.ts";
import { Hub } from "../src/lab/hub.ts";
import { sleep, switchTo, type TaskGen } from "../src/lab/effects.ts";
import type { Task } from "../src/lab/task.ts";
import { chainedRoundTripsPerS, hubIoRoundTripsPerS } from "./hub_io.ts";

const SWITCHES = 4_000_000;
const SPAWNS = 1_000_000;
const SLEEPERS = 100_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

async function hubSwitchesPerS(): Promise<number> {
  const hub = new Hub();
  let a: Task | null = null;
  let b: Task | null = null;
  a = hub.spawn("ping", function* () {
    for (let i = 0; i < SWITCHES / 2; i++) yield switchTo(b!);
  });
  b = hub.spawn("pong", function* () {
    for (;;) yield switchTo(a!);
  });
  const start = performance.now();
  await a.whenFinished();
  const ms = performance.now() - start;
  const switches = hub.switches;
  hub.close();
  return switches / (ms / 1000);
}

function rawSwitchesPerS(): number {
  let other: Generator<number, void, number>;
  function* side(): Generator<number, void, number> {
    let v = 0;
    for (;;) v = yield v + 1;
  }
  const a = side();
  const b = side();
  a.next(0);
  b.next(0);
  other = a;
  let v = 0;
  const start = performance.now();
  for (let i = 0; i < SWITCHES; i++) {
    const r = other.next(v);
    v = r.value as number;
    other = other === a ? b : a;
  }
  const ms = performance.now() - start;
  if (v < 0) throw new Error("unreachable"); // keep v alive
  return SWITCHES / (ms / 1000);
}

// deno-lint-ignore require-yield
function* finishAtOnce(): TaskGen {
  return 1;
}

async function hubSpawnsPerS(): Promise<number> {
  const hub = new Hub();
  const start = performance.now();
  hub.spawn("spawner", function* () {
    for (let i = 0; i < SPAWNS; i++) {
      hub.spawn("w", finishAtOnce);
      if ((i & 1023) === 1023) yield; // let the queue drain as it goes
    }
  });
  await hub.idle();
  const ms = performance.now() - start;
  const done = hub.stats().done;
  hub.close();
  if (done !== SPAWNS + 1) throw new Error(`expected ${SPAWNS + 1} tasks done, got ${done}`);
  return SPAWNS / (ms / 1000);
}

function rawSpawnsPerS(): number {
  const start = performance.now();
  let sum = 0;
  for (let i = 0; i < SPAWNS; i++) {
    const g = finishAtOnce();
    const r = g.next();
    sum += r.value as number;
  }
  const ms = performance.now() - start;
  if (sum !== SPAWNS) throw new Error("unreachable");
  return SPAWNS / (ms / 1000);
}

const gc = (globalThis as { gc?: () => void }).gc;

function memoryMb(): number {
  gc?.();
  gc?.();
  const m = Deno.memoryUsage();
  return (m.heapUsed + m.external) / (1024 * 1024);
}

async function hubSleepingMb(): Promise<number> {
  const before = memoryMb();
  const hub = new Hub();
  for (let i = 0; i < SLEEPERS; i++) {
    hub.spawn(`sleeper ${i}`, function* () {
      yield sleep(3_600_000);
    });
  }
  while (hub.stats().waiting.sleep < SLEEPERS) await new Promise((r) => setTimeout(r, 1));
  const mb = memoryMb() - before;
  hub.close();
  return mb;
}

function rawSleepingMb(): number {
  const before = memoryMb();
  const gens: Generator<number, void, unknown>[] = [];
  for (let i = 0; i < SLEEPERS; i++) {
    const g = (function* (): Generator<number, void, unknown> {
      yield 3_600_000;
    })();
    g.next();
    gens.push(g);
  }
  const mb = memoryMb() - before;
  if (gens.length !== SLEEPERS) throw new Error("unreachable");
  return mb;
}

export const hubBench: BenchSuite = {
  name: "hub",
  description: "coroutine hub switches, spawns and memory (raw JS generators as reference)",
  async run(report) {
    // warm-up rounds so the JIT has settled, then the median of three
    rawSwitchesPerS();
    await hubSwitchesPerS();
    const sw: number[] = [];
    const swRef: number[] = [];
    for (let i = 0; i < 3; i++) {
      sw.push(await hubSwitchesPerS());
      swRef.push(rawSwitchesPerS());
    }
    report({
      name: "hub_switch_per_s",
      value: median(sw),
      unit: "switches/s",
      ref: median(swRef),
      goal: ">= 10M/s",
    });

    const sp: number[] = [];
    const spRef: number[] = [];
    for (let i = 0; i < 3; i++) {
      sp.push(await hubSpawnsPerS());
      spRef.push(rawSpawnsPerS());
    }
    report({
      name: "hub_spawn_per_s",
      value: median(sp),
      unit: "spawn+finish/s",
      ref: median(spRef),
      goal: ">= 500k/s (1M < 2 s)",
    });

    await hubIoRoundTripsPerS();
    await chainedRoundTripsPerS();
    const io: number[] = [];
    const ioRef: number[] = [];
    for (let i = 0; i < 3; i++) {
      io.push(await hubIoRoundTripsPerS());
      ioRef.push(await chainedRoundTripsPerS());
    }
    report({
      name: "hub_io_wait_rt_per_s",
      value: median(io),
      unit: "rt/s",
      ref: median(ioRef),
    });

    const ref = rawSleepingMb();
    const mb = await hubSleepingMb();
    report({
      name: "hub_sleeping_100k_mb",
      value: mb,
      unit: gc ? "MB" : "MB (no gc: upper bound)",
      ref,
      goal: "< 150 MB",
    });
  },
};
