/**
 * The demo menu (`d` on the Coroutines panel) and starting a demo (`:demo
 * NAME`).
 */
import type { KeyEvent } from "../tui/keys.ts";
import { followDemo } from "./demo_follow.ts";
import { labUnavailable } from "./lab_busy.ts";
import type { AppState } from "./model.ts";

export function openDemoMenu(state: AppState): AppState {
  if (state.lab.status !== "running" || state.coroutines.demos.length === 0) {
    return { ...state, message: { text: labUnavailable(state), level: "error" } };
  }
  return { ...state, message: undefined, overlay: { kind: "demo-menu", selected: 0 } };
}

export function demoMenuKey(
  state: AppState,
  overlay: Extract<AppState["overlay"], { kind: "demo-menu" }>,
  key: KeyEvent,
): AppState {
  const count = state.coroutines.demos.length;
  switch (key.key) {
    case "escape":
    case "q":
      return { ...state, overlay: { kind: "none" } };
    case "up":
    case "k":
      return { ...state, overlay: { ...overlay, selected: Math.max(0, overlay.selected - 1) } };
    case "down":
    case "j":
      return {
        ...state,
        overlay: { ...overlay, selected: Math.min(count - 1, overlay.selected + 1) },
      };
    case "enter": {
      const demo = state.coroutines.demos[overlay.selected];
      return demo ? startDemo({ ...state, overlay: { kind: "none" } }, demo.name) : state;
    }
  }
  return state;
}

export function startDemo(state: AppState, name: string): AppState {
  if (state.lab.status !== "running") {
    return { ...state, message: { text: labUnavailable(state), level: "error" } };
  }
  const demos = state.coroutines.demos.map((d) => d.name);
  if (!demos.includes(name)) {
    return {
      ...state,
      message: { text: `no demo '${name}' (demos: ${demos.join(", ")})`, level: "error" },
    };
  }
  // The lab prints the demo's own "--- demo NAME ---" banner into the output
  // and the panel shows the demo's state from each snapshot, so the status
  // line only says what would otherwise pass unseen: a running demo stopped.
  const coroutines = followDemo({ ...state.coroutines, detail: false, selected: 0 }, name);
  const running = state.coroutines.snapshot?.demo;
  const message = running?.state === "running"
    ? { text: `stopped demo ${running.name} to start ${name}`, level: "info" as const }
    : undefined;
  const outbox = [...state.outbox, { type: "run-demo" as const, name }];
  return { ...state, panel: "coroutines", coroutines, message, outbox };
}
