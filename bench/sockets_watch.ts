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
import type { LeanStats } from "./sockets_lean_load.ts";
import { errorMessage } from "../src/util/error_message.ts";

const CONNECTIONS = 100;
/** Longer than the other runs: a few of the other work's bursts average out, and the UI's warm-up. */
const DURATION_MS = 2000;
const ROUNDS = 5;

export type RunLoad = (
  port: number,
  connections: number,
  durationMs: number,
) => Promise<LeanStats>;

interface Watched {
  rtPerS: number;
  /** Snapshots posted, and milliseconds the lab's thread spent building and posting them. */
  snapshots: number;
  labMs: number;
  /** Seconds the load ran (with the watcher). */
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

/** One run: the server through the lab service, watched by a UI Worker or by nothing. */
async function measure(runLoad: RunLoad, watched: boolean): Promise<Watched> {
  // loaded before the run: a module's load is no part of the figure
  const ui = watched ? await startUi() : null;
  const toUi = (message: ToUi) => ui?.postMessage(message);
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
  const figures = Promise.withResolvers<UiFigures>();
  if (ui) {
    ui.onmessage = (e: MessageEvent<FromUi>) => {
      const m = e.data;
      if (m.type === "command") service.handle(m.command).then(tick);
      else if (m.type === "figures") figures.resolve(m.figures);
    };
    service.hello();
  }
  try {
    await service.handle({ type: "serve", model: "multiplexed", port: 0 });
    if (port === 0) throw new Error("the lab service did not serve");
    if (ui) {
      ticker = setInterval(tick, MIN_INTERVAL_MS);
      tick();
    }
    const started = performance.now();
    const stats = await runLoad(port, CONNECTIONS, DURATION_MS);
    const seconds = (performance.now() - started) / 1000;
    clearInterval(ticker);
    toUi({ type: "finish" });
    const ui_ = ui ? await figures.promise : emptyFigures();
    return { rtPerS: stats.roundTripsPerS, snapshots, labMs, seconds, ui: ui_ };
  } finally {
    clearInterval(ticker);
    await service.handle({ type: "shutdown" });
    ui?.terminate();
  }
}

function emptyFigures(): UiFigures {
  return { snapshots: 0, events: 0, frames: 0, updateMs: 0, frameMs: 0, bytes: 0 };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1] ?? 0;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Rounds of (unwatched, watched) pairs; the watched figure against the
 * unwatched one is the drawing's cost, each the median of its runs.
 */
export async function benchWatchCost(
  runLoad: RunLoad,
  report: (result: BenchResult) => void,
): Promise<void> {
  const unwatched: number[] = [];
  const watched: Watched[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    try {
      // the order alternates: whichever runs second in a pair is not always the same one
      const first = await measure(runLoad, round % 2 === 1);
      const second = await measure(runLoad, round % 2 === 0);
      const [ref, w] = round % 2 === 0 ? [first, second] : [second, first];
      unwatched.push(ref.rtPerS);
      watched.push(w);
    } catch (error) {
      console.error(`sockets bench: watched: ${errorMessage(error)}`);
    }
  }
  if (watched.length === 0) return;
  const name = `sockets_multiplexed_${CONNECTIONS}c_watched`;
  report({
    name: `${name}_rt_per_s`,
    value: Math.round(median(watched.map((w) => w.rtPerS))),
    unit: "rt/s",
    ref: Math.round(median(unwatched)),
    // the median of each pair's own ratio: a pair shares the machine's state of the moment
    ratio: median(watched.map((w, i) => w.rtPerS / unwatched[i]!)),
    goal: ">= 0.9x (drawing costs at most 10%)",
  });
  // what the watching did, per snapshot and per frame
  report({
    name: `${name}_snapshots_per_s`,
    value: round2(median(watched.map((w) => w.snapshots / w.seconds))),
    unit: "/s",
  });
  report({
    name: `${name}_lab_ms_per_snapshot`,
    value: round2(median(watched.map((w) => w.labMs / Math.max(1, w.snapshots)))),
    unit: "ms",
  });
  report({
    name: `${name}_ui_ms_per_frame`,
    value: round2(
      median(watched.map((w) => (w.ui.frameMs + w.ui.updateMs) / Math.max(1, w.ui.frames))),
    ),
    unit: "ms",
  });
  // the watcher's timed work on both threads, as a share of one core: the cost the
  // rt/s ratio should show, without the noise of a machine shared with other work
  const busy = (w: Watched) => (w.labMs + w.ui.frameMs + w.ui.updateMs) / 1000 / w.seconds;
  report({
    name: `${name}_timed_cpu_pct`,
    value: round2(median(watched.map((w) => busy(w) * 100))),
    unit: "%",
    goal: "<= 10%",
  });
}
