/**
 * Keys of the Coroutines panel, as data (listed in help) and as a pure
 * function from a key to what it means. Keys not listed here fall through to
 * the global keymap.
 */
import type { KeyEvent } from "../tui/keys.ts";
import { formatKey } from "../tui/keys.ts";
import { symbolsFor } from "../tui/symbols.ts";
import { scrollDelta, scrollTextLayout } from "../tui/widgets/scroll_text.ts";
import { detailLines, detailRect } from "./coroutines_detail.ts";
import {
  type CoroutinesLayout,
  type CoroutinesState,
  pageSize,
  SORT_KEYS,
  totalRows,
} from "./coroutines.ts";

export const COROUTINES_HELP: readonly { key: string; description: string }[] = [
  { key: "Up Down j k", description: "select a task" },
  { key: "PgUp PgDn Home End", description: "select a task a page away, the first, the last" },
  {
    key: "Enter",
    description:
      "task detail: its timeline, state changes and warnings explained (the moving keys scroll it, Esc back)",
  },
  { key: "d", description: "run a lesson demo live (also :demo NAME)" },
  { key: "< >  s", description: "sort by the column to the left / right (s: next column)" },
  { key: "r", description: "reverse the order (the selected task stays selected)" },
  { key: "Space", description: "pause the display (the hub keeps running)" },
  {
    key: "Ctrl-K",
    description: "kill the selected task (asks first); one that never yields: restart the lab",
  },
  { key: "c", description: "clear finished tasks from the table (also :clear)" },
];

export type CoroutinesIntent =
  | { kind: "state"; state: CoroutinesState }
  | { kind: "demo-menu" }
  | { kind: "kill"; id: number; name: string }
  | { kind: "clear" };

export function updateCoroutinesKey(
  state: CoroutinesState,
  key: KeyEvent,
  layout: CoroutinesLayout,
): CoroutinesIntent | undefined {
  if (state.detail) {
    const scrolled = scrollDetail(state, key, layout);
    if (scrolled) return scrolled;
  }
  const total = totalRows(state);
  const select = (selected: number): CoroutinesIntent => ({
    kind: "state",
    state: { ...state, selected: Math.max(0, Math.min(selected, total - 1)) },
  });
  // The moving keys (arrows, j/k, PgUp/PgDn, Home/End), as everywhere in warren.
  const move = scrollDelta(formatKey(key), pageSize(layout));
  if (move !== undefined) return select(state.selected + move);
  switch (formatKey(key)) {
    case "enter":
      return selectedTask(state)
        ? { kind: "state", state: { ...state, detail: true, detailOffset: 0 } }
        : undefined;
    case "escape":
      return state.detail ? { kind: "state", state: { ...state, detail: false } } : undefined;
    case "d":
      return { kind: "demo-menu" };
    case "s":
    case ">":
      return sortBy(state, 1);
    case "<":
      return sortBy(state, -1);
    case "r":
      return {
        kind: "state",
        state: { ...state, descending: !state.descending, anchorId: selectedTask(state)?.id },
      };
    case "space":
      return { kind: "state", state: { ...state, paused: !state.paused } };
    case "c":
      return { kind: "clear" };
    // Not plain `k`: with j/k moving, a vim habit must never start a kill.
    case "ctrl+k": {
      const task = selectedTask(state);
      if (!task || !["ready", "running", "waiting"].includes(task.state)) return undefined;
      return { kind: "kill", id: task.id, name: task.name };
    }
  }
  return undefined;
}

/** Sorts by the column `step` to the right (or left), keeping the selected task selected. */
function sortBy(state: CoroutinesState, step: 1 | -1): CoroutinesIntent {
  const i = SORT_KEYS.indexOf(state.sort);
  const sort = SORT_KEYS[(i + step + SORT_KEYS.length) % SORT_KEYS.length]!;
  return { kind: "state", state: { ...state, sort, anchorId: selectedTask(state)?.id } };
}

/** In the detail, the moving keys scroll it (it can be taller than the screen). */
function scrollDetail(
  state: CoroutinesState,
  key: KeyEvent,
  layout: CoroutinesLayout,
): CoroutinesIntent | undefined {
  const detail = state.snapshot?.selected;
  if (!detail) return undefined;
  const rect = detailRect(layout);
  const { visible, maxOffset } = scrollTextLayout(
    // Glyphs are one cell in either set, so measuring with one set fits both.
    detailLines(detail, state.snapshot!.header.nowMs, state.snapshot!.lanes, symbolsFor(true)),
    rect,
  );
  const move = scrollDelta(formatKey(key), Math.max(1, visible - 1));
  if (move === undefined) return undefined;
  const detailOffset = Math.max(0, Math.min(maxOffset, state.detailOffset + move));
  return { kind: "state", state: { ...state, detailOffset } };
}

/** The selected row, if it is in the window the lab sent. */
export function selectedTask(state: CoroutinesState) {
  const window = state.snapshot?.window;
  if (!window) return undefined;
  return window.rows[state.selected - window.request.offset];
}
