/**
 * The lab Worker as the UI thread sees it: started, watched and stopped. The
 * lab (hub, demos, servers) runs in its own Worker so heavy load never
 * freezes the screen; its messages come back as app events. A task that
 * never yields freezes that Worker, so the UI reads its shared watchdog
 * itself, and restarting the lab means terminating the Worker (the only way
 * to stop a step that never ends) and starting a fresh one.
 */
import type { LabCommand, LabMessage } from "../lab/protocol.ts";
import { type StuckTask, stuckTask } from "./coroutines.ts";
import type { AppEvent } from "./update.ts";

export interface LabWorker {
  send(command: LabCommand): void;
  /** Terminates the Worker, even in the middle of a step that never yields. */
  stop(): void;
}

/** How often the UI reads the watchdog (the busy line's figure moves by 0.1 s). */
const WATCH_MS = 200;

export function startLabWorker(dispatch: (event: AppEvent) => void): LabWorker {
  const worker = new Worker(new URL("../lab/worker.ts", import.meta.url).href, { type: "module" });
  let watch: ReturnType<typeof setInterval> | undefined;
  // After stop, nothing from this Worker reaches the app: a restarted lab's
  // state must not mix with the old one's late messages.
  let stopped = false;
  worker.onmessage = (event: MessageEvent<LabMessage>) => {
    if (stopped) return;
    const message = event.data;
    if (message.type === "hello" && message.watchdog && watch === undefined) {
      watch = watchStuckLab(new Float64Array(message.watchdog), (e) => stopped || dispatch(e));
    }
    dispatch({ type: "lab", message });
  };
  worker.onerror = (event: ErrorEvent) => {
    // The lab failing must not take the dashboard down: say so in the panel.
    event.preventDefault();
    if (!stopped) dispatch({ type: "lab-failed", error: event.message });
  };
  return {
    send: (command) => {
      if (!stopped) worker.postMessage(command);
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      clearInterval(watch);
      worker.postMessage({ type: "shutdown" } satisfies LabCommand);
      worker.terminate();
    },
  };
}

/**
 * A task that never yields freezes the lab Worker, snapshots included, so
 * the UI reads the lab's shared watchdog itself and says which task is stuck.
 */
function watchStuckLab(
  watchdog: Float64Array,
  dispatch: (event: AppEvent) => void,
): ReturnType<typeof setInterval> {
  let shown: StuckTask | null = null;
  const timer = setInterval(() => {
    const stuck = stuckTask(watchdog, Date.now());
    if (stuck?.taskId === shown?.taskId && stuck?.forMs === shown?.forMs) return;
    shown = stuck;
    dispatch({ type: "lab-stuck", stuck });
  }, WATCH_MS);
  Deno.unrefTimer(timer);
  return timer;
}
