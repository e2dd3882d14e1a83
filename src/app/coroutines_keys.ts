/**
 * Keys of the Coroutines panel, as data (listed in help) and as a pure
 * function from a key to what it means. Keys not listed here fall through to
 * the global keymap.
 */
import type { KeyEvent } from "../tui/keys.ts";
import { formatKey } from "../tui/keys.ts";
import { scrollTextLayout } from "../tui/widgets/scroll_text.ts";
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
    description: "task detail: events and warnings explained (the moving keys scroll it, Esc back)",
  },
  { key: "d", description: "run a lesson demo live (also :demo NAME)" },
  { key: "s  r", description: "sort by the next column / reverse the order" },
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
  switch (formatKey(key)) {
    case "up":
    case "k":
      return select(state.selected - 1);
    case "down":
    case "j":
      return select(state.selected + 1);
    case "pageup":
      return select(state.selected - pageSize(layout));
    case "pagedown":
      return select(state.selected + pageSize(layout));
    case "home":
      return select(0);
    case "end":
      return select(total - 1);
    case "enter":
      return selectedTask(state)
        ? { kind: "state", state: { ...state, detail: true, detailOffset: 0 } }
        : undefined;
    case "escape":
      return state.detail ? { kind: "state", state: { ...state, detail: false } } : undefined;
    case "d":
      return { kind: "demo-menu" };
    case "s": {
      const next = SORT_KEYS[(SORT_KEYS.indexOf(state.sort) + 1) % SORT_KEYS.length]!;
      return { kind: "state", state: { ...state, sort: next, selected: 0 } };
    }
    case "r":
      return { kind: "state", state: { ...state, descending: !state.descending, selected: 0 } };
    case "space":
      return { kind: "state", state: { ...state, paused: !state.paused } };
    case "c":
      return { kind: "clear" };
    // Not plain `k`: with j/k moving, a vim habit must never start a kill.
    case "ctrl+k": {
      const task = selectedTask(state);
      if (!task || task.state === "done" || task.state === "failed") return undefined;
      return { kind: "kill", id: task.id, name: task.name };
    }
  }
  return undefined;
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
    detailLines(detail, state.snapshot!.header.nowMs),
    rect,
  );
  const page = Math.max(1, visible - 1);
  const moves: Record<string, number> = {
    up: -1,
    k: -1,
    down: 1,
    j: 1,
    pageup: -page,
    pagedown: page,
    home: -Infinity,
    end: Infinity,
  };
  const move = moves[formatKey(key)];
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
