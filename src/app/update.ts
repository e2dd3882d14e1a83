/**
 * update(state, event) -> state: every key, paste, resize and tick goes
 * through here. Pure: the run loop does the I/O (quitting, drawing).
 */
import type { InputEvent, KeyEvent } from "../tui/keys.ts";
import { editForKey, editInput, textInput } from "../tui/widgets/text_input.ts";
import {
  commandComplete,
  commandEdit,
  commandHistoryDown,
  commandHistoryUp,
  commandLineState,
  commandSubmit,
} from "../tui/widgets/command_line.ts";
import { type CommandIntent, completionCandidates, runCommandLine } from "./commands.ts";
import { lookupKey } from "./keymap.ts";
import { type AppState, isTooSmall } from "./model.ts";
import { PANEL_IDS, type PanelId } from "./panels.ts";

export type AppEvent =
  | InputEvent
  | { type: "resize"; width: number; height: number };

export function update(state: AppState, event: AppEvent): AppState {
  switch (event.type) {
    case "resize":
      return { ...state, width: event.width, height: event.height };
    case "paste":
      return pasteText(state, event.text);
    case "mouse":
      return state;
    case "key":
      return pressKey(state, event);
  }
}

function pressKey(state: AppState, key: KeyEvent): AppState {
  // Ctrl-C always quits, whatever is open: the user's way out must never fail.
  if (key.ctrl && key.key === "c") return { ...state, quit: true };
  if (isTooSmall(state)) return key.key === "q" ? { ...state, quit: true } : state;
  switch (state.overlay.kind) {
    case "help":
      return key.key === "escape" || key.key === "?" || key.key === "q"
        ? { ...state, overlay: { kind: "none" } }
        : state;
    case "command":
      return commandKey(state, state.overlay, key);
    case "filter":
      return filterKey(state, state.overlay, key);
    case "none":
      return normalKey(state, key);
  }
}

function normalKey(state: AppState, key: KeyEvent): AppState {
  const action = lookupKey(key);
  const cleared = { ...state, message: undefined };
  if (!action) {
    return key.key === "escape" ? cleared : state;
  }
  switch (action.kind) {
    case "help":
      return { ...cleared, overlay: { kind: "help" } };
    case "command":
      return {
        ...cleared,
        overlay: { kind: "command", line: commandLineState(state.history) },
      };
    case "filter": {
      const current = state.filters[state.panel];
      return {
        ...cleared,
        overlay: { kind: "filter", line: textInput(current), previous: current },
      };
    }
    case "next-panel":
      return { ...cleared, panel: stepPanel(state.panel, action.step) };
    case "panel":
      return { ...cleared, panel: action.panel };
    case "quit":
      return { ...state, quit: true };
  }
}

function stepPanel(panel: PanelId, step: 1 | -1): PanelId {
  const i = PANEL_IDS.indexOf(panel);
  return PANEL_IDS[(i + step + PANEL_IDS.length) % PANEL_IDS.length]!;
}

type CommandOverlay = Extract<AppState["overlay"], { kind: "command" }>;
type FilterOverlay = Extract<AppState["overlay"], { kind: "filter" }>;

function commandKey(state: AppState, overlay: CommandOverlay, key: KeyEvent): AppState {
  const withLine = (line: CommandOverlay["line"]) => ({
    ...state,
    overlay: { kind: "command" as const, line },
  });
  switch (key.key) {
    case "escape":
      return { ...state, overlay: { kind: "none" } };
    case "enter": {
      const { state: line, command } = commandSubmit(overlay.line);
      return runCommand(
        { ...state, overlay: { kind: "none" }, history: [...line.history] },
        command,
      );
    }
    case "up":
      return withLine(commandHistoryUp(overlay.line));
    case "down":
      return withLine(commandHistoryDown(overlay.line));
    case "tab": {
      const { value, cursor } = overlay.line.input;
      return withLine(commandComplete(overlay.line, completionCandidates(value.slice(0, cursor))));
    }
  }
  if (key.key === "backspace" && overlay.line.input.value === "") {
    return { ...state, overlay: { kind: "none" } };
  }
  const edit = editForKey(key);
  return edit ? withLine(commandEdit(overlay.line, edit)) : state;
}

/** Runs a command line; errors stay on the status line until the next key. */
export function runCommand(state: AppState, text: string): AppState {
  const intent = runCommandLine(text);
  return intent ? applyIntent(state, intent) : state;
}

function applyIntent(state: AppState, intent: CommandIntent): AppState {
  switch (intent.kind) {
    case "help":
      return { ...state, overlay: { kind: "help" } };
    case "quit":
      return { ...state, quit: true };
    case "panel":
      return { ...state, panel: intent.panel };
    case "error":
      return { ...state, message: { text: intent.message, level: "error" } };
  }
}

function filterKey(state: AppState, overlay: FilterOverlay, key: KeyEvent): AppState {
  const setFilter = (value: string) => ({ ...state.filters, [state.panel]: value });
  switch (key.key) {
    case "escape":
      // Esc abandons the edit and restores the filter that was there before.
      return { ...state, overlay: { kind: "none" }, filters: setFilter(overlay.previous) };
    case "enter":
      return { ...state, overlay: { kind: "none" } };
  }
  const edit = editForKey(key);
  if (!edit) return state;
  const line = editInput(overlay.line, edit);
  // The filter applies as it is typed, so the table narrows live.
  return { ...state, overlay: { ...overlay, line }, filters: setFilter(line.value) };
}

function pasteText(state: AppState, text: string): AppState {
  const overlay = state.overlay;
  const edit = { type: "insert", text } as const;
  if (overlay.kind === "command") {
    return { ...state, overlay: { ...overlay, line: commandEdit(overlay.line, edit) } };
  }
  if (overlay.kind === "filter") {
    const line = editInput(overlay.line, edit);
    return {
      ...state,
      overlay: { ...overlay, line },
      filters: { ...state.filters, [state.panel]: line.value },
    };
  }
  return state;
}
