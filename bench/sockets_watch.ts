/**
 * What the dashboard drawing the event stream costs a server (issue 11: at
 * most 10%). The multiplexed (epoll) server runs through the real
 * `LabService` (`serve`, as the lab Worker runs it) on the bench's thread,
 * which plays the lab Worker's; the load runs on its own Worker as in the
 * rest of the sockets bench. Unwatched, nothing asks for a snapshot. Watched,
 * the lab's ticker runs as `lab/worker.ts` runs it (every 100 ms, so a
 * coalesced snapshot at most 10 times a second, posted with `postMessage`,
 * structured clone included) to a Worker playing the UI thread
 * (`sockets_watch_ui.ts`): `update` on the Sockets panel following the event
 * stream, then `view` at 80x24 and the diff. That is the work the dashboard
 * does, in the threads it does it in, so the server pays what it pays in the
 * dashboard: the snapshot and its posting on its own thread, and the drawing
 * thread's CPU on a machine it shares.
 */
import type { BenchResult } from "./harness.ts";
import type { FromUi, ToUi, UiFigures } from "./sockets_watch_ui.ts";
import type { LabMessage } from "../src/lab/protocol.ts";
import { LabService, MIN_INTERVAL_MS } from "../src/lab/lab_service.ts";
import type { SlicedStats, SliceOptions } from "./sockets_interleaved_load.ts";
import { geomean, median, quantile, ratioPerRoundPair, round2 } from "./ratios.ts";
import { errorMessage } from "../src/util/error_message.ts";

const CONNECTIONS = 100;
/** Each slice: a warm-up, then 250 ms measured (a few of the watcher's 100 ms ticks). */
const SLICES: SliceOptions = { warmMs: 50, measureMs: 250, rounds: 16 };

export type RunSliced = (
  ports: number[],
  connections: number,
  slices: SliceOptions,
  onSlice: (server: number) => void,
) => Promise<SlicedStats[]>;

interface Watched {
  /** Each round's round trips/s, unwatched and watched. */
  unwatched: number[];
  watched: number[];
  /** Snapshots posted, and milliseconds the lab's thread spent building and posting them. */
  snapshots: number;
  labMs: number;
  /** Seconds the watcher was on. */
  seconds: number;
  ui: UiFigures;
}

function startUi(): Promise<Worker> {
  const ui = new Worker(new URL("./sockets_watch_ui.ts", import.meta.url), { type: "module" });
  return new Promise<Worker>((resolve, reject) => {
    ui.onmessage = (e: MessageEvent<FromUi>) => {
      if (e.data.type === "ready") resolve(ui);
    };
    ui.onerror = (e) => {
      e.preventDefault();
      reject(new Error(e.message));
    };
  });
}

/**
 * The server through the lab service, with two sets of clients taking turns
 * in slices (sockets_interleaved_load.ts): while the first set talks nothing
 * watches; while the second does, the lab's ticker runs and the UI Worker
 * draws. Both go through the same moments of the machine.
 */
async function measure(runSliced: RunSliced): Promise<Watched> {
  // loaded before the run: a module's load is no part of the figure
  const ui = await startUi();
  const toUi = (message: ToUi) => ui.postMessage(message);
  let port = 0;
  const service = new LabService({
    post: (message: LabMessage) => {
      if (message.type === "reply" && message.command === "serve") {
        port = Number(/:(\d+)$/.exec(message.message)?.[1] ?? 0);
      }
      toUi({ type: "lab", message });
    },
  });
  let snapshots = 0;
  let labMs = 0;
  // as lab/worker.ts: a tick on a timer and after each command
  const tick = () => {
    const t0 = performance.now();
    if (service.tick()) {
      snapshots++;
      labMs += performance.now() - t0;
    }
  };
  let ticker: ReturnType<typeof setInterval> | undefined;
  let watchedMs = 0;
  let watchingSince = 0;
  const watch = (on: boolean) => {
    if (on && ticker === undefined) {
      watchingSince = performance.now();
      ticker = setInterval(tick, MIN_INTERVAL_MS);
      tick();
    } else if (!on && ticker !== undefined) {
      clearInterval(ticker);
      ticker = undefined;
      watchedMs += performance.now() - watchingSince;
    }
  };
  const figures = Promise.withResolvers<UiFigures>();
  ui.onmessage = (e: MessageEvent<FromUi>) => {
    const m = e.data;
    if (m.type === "command") service.handle(m.command).then(tick);
    else if (m.type === "figures") figures.resolve(m.figures);
  };
  service.hello();
  try {
    await service.handle({ type: "serve", model: "multiplexed", port: 0 });
    if (port === 0) throw new Error("the lab service did not serve");
    const [plain, seen] = await runSliced(
      [port, port],
      CONNECTIONS,
      SLICES,
      (server) => watch(server === 1),
    );
    watch(false);
    toUi({ type: "finish" });
    return {
      unwatched: plain!.perRound,
      watched: seen!.perRound,
      snapshots,
      labMs,
      seconds: watchedMs / 1000,
      ui: await figures.promise,
    };
  } finally {
    clearInterval(ticker);
    await service.handle({ type: "shutdown" });
    ui.terminate();
  }
}

/** The watched figure against the unwatched one is the drawing's cost. */
export async function benchWatchCost(
  runSliced: RunSliced,
  report: (result: BenchResult) => void,
): Promise<void> {
  let w: Watched;
  try {
    w = await measure(runSliced);
  } catch (error) {
    console.error(`sockets bench: watched: ${errorMessage(error)}`);
    return;
  }
  const name = `sockets_multiplexed_${CONNECTIONS}c_watched`;
  const ratios = ratioPerRoundPair(w.watched.map((rt, i) => rt / w.unwatched[i]!));
  report({
    name: `${name}_rt_per_s`,
    value: Math.round(median(w.watched)),
    unit: "rt/s",
    ref: Math.round(median(w.unwatched)),
    ratio: geomean(ratios),
    goal: ">= 0.9x (drawing costs at most 10%)",
  });
  report({ name: `${name}_ratio_low_quartile`, value: round2(quantile(ratios, 0.25)), unit: "x" });
  // what the watching did, per snapshot and per frame
  report({
    name: `${name}_snapshots_per_s`,
    value: round2(w.snapshots / Math.max(0.001, w.seconds)),
    unit: "/s",
  });
  report({
    name: `${name}_lab_ms_per_snapshot`,
    value: round2(w.labMs / Math.max(1, w.snapshots)),
    unit: "ms",
  });
  report({
    name: `${name}_ui_ms_per_frame`,
    value: round2((w.ui.frameMs + w.ui.updateMs) / Math.max(1, w.ui.frames)),
    unit: "ms",
  });
  // the watcher's timed work on both threads, as a share of one core while it
  // watched: the cost the rt/s ratio should show, less the machine's noise
  const busy = (w.labMs + w.ui.frameMs + w.ui.updateMs) / 1000 / Math.max(0.001, w.seconds);
  report({ name: `${name}_timed_cpu_pct`, value: round2(busy * 100), unit: "%", goal: "<= 10%" });
}
