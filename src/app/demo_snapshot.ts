/**
 * `start --snapshot --demo NAME --at SECONDS`: the frame the dashboard would
 * show SECONDS after `:demo NAME`, made reproducible. The lab runs
 * in-process on the virtual clock, otherwise as the live dashboard runs it
 * in its Worker: the same `LabService`, the same commands from `update`'s
 * outbox and the same messages back through `update`, with a snapshot every
 * 100 ms of hub time (the live lab sends at most ten a second). Virtual time
 * makes it exact and instant: the same command prints the same frame.
 */
import { type Hub, virtualHub } from "../lab/hub.ts";
import { LabService } from "../lab/lab_service.ts";
import type { LabMessage } from "../lab/protocol.ts";
import { type AppState, initialState } from "./model.ts";
import { frameText, type SnapshotOptions } from "./snapshot.ts";
import type { StartOptions } from "./start_options.ts";
import { runCommand, update } from "./update.ts";

/** Hub ms between two snapshots, as the live lab's ticker (lab_service.ts MIN_INTERVAL_MS). */
const SNAPSHOT_EVERY_MS = 100;

export async function demoSnapshotText(
  options: SnapshotOptions,
  demo: NonNullable<StartOptions["demo"]>,
  env: Record<string, string | undefined> = Deno.env.toObject(),
): Promise<string> {
  return frameText(await demoSnapshotState(options, demo), options, env);
}

/** The app's state after `demo` ran for `demo.atMs` hub ms. */
export async function demoSnapshotState(
  options: SnapshotOptions,
  demo: NonNullable<StartOptions["demo"]>,
): Promise<AppState> {
  const { width, height } = options.size ?? { width: 80, height: 24 };
  const hub = virtualHub();
  const inbox: LabMessage[] = [];
  const service = new LabService({ hub, post: (message) => inbox.push(message) });
  let state = update(initialState({ panel: options.panel, width, height }), {
    type: "lab-started",
  });
  // what run.ts does with the Worker: the outbox goes to the lab, its messages to update
  const exchange = () => {
    while (state.outbox.length > 0 || inbox.length > 0) {
      const outbox = state.outbox;
      state = { ...state, outbox: [] };
      for (const command of outbox) service.handle(command);
      for (const message of inbox.splice(0)) state = update(state, { type: "lab", message });
    }
  };
  try {
    service.hello();
    exchange();
    state = runCommand(state, `demo ${demo.name}`);
    exchange();
    let release = () => {};
    for (let at = 0;; at = Math.min(demo.atMs, at + SNAPSHOT_EVERY_MS)) {
      release = await runUntil(hub, at, release);
      const snapshot = service.snapshot();
      state = update(state, { type: "lab", message: { type: "snapshot", snapshot } });
      exchange();
      if (at >= demo.atMs) break;
    }
    return state;
  } finally {
    hub.close();
  }
}

/**
 * Lets the virtual hub run everything due up to hub time `atMs`, then holds
 * its clock there and returns the release. A timer at `atMs` holds the clock
 * when it fires (set last, so tasks due at the same time run first); it is
 * set before the previous stop's `release`, so the clock never jumps past
 * it. The hub is then left to finish what became ready.
 */
async function runUntil(hub: Hub, atMs: number, release: () => void): Promise<() => void> {
  const stop = hub.delay(atMs - hub.now(), { holdOnFire: true });
  release();
  const held = await stop;
  while (hub.stats().ready > 0) await new Promise((resolve) => setTimeout(resolve, 0));
  return held;
}
