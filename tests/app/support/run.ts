/**
 * Drives the dashboard's update() the way a user does: key names, modified
 * keys and app events, one after another.
 */
import { makeKey } from "../../../src/tui/keys.ts";
import type { AppState } from "../../../src/app/model.ts";
import { type AppEvent, update } from "../../../src/app/update.ts";

/** Feeds keys ("a", "tab", "ctrl+c", "shift+tab") and text (as single characters) through update. */
export function run(state: AppState, ...inputs: (string | AppEvent)[]): AppState {
  for (const input of inputs) {
    if (typeof input !== "string") {
      state = update(state, input);
      continue;
    }
    const [mod, name] = input.includes("+") && input.length > 1
      ? input.split("+") as [string, string]
      : ["", input];
    state = update(state, makeKey(name, { ctrl: mod === "ctrl", shift: mod === "shift" }));
  }
  return state;
}
