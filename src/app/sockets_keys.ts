/**
 * Keys of the Sockets panel, as data (listed in help) and as a pure function
 * from a key to what it means. Keys not listed here fall through to the
 * global keymap. The keys that start or stop something open the `:` line
 * with the command written, so a key never does more than its command.
 */
import type { KeyEvent } from "../tui/keys.ts";
import { formatKey } from "../tui/keys.ts";
import { logScroll } from "../tui/widgets/log_view.ts";
import {
  connectionPage,
  selectedConnection,
  type SocketsLayout,
  type SocketsState,
} from "./sockets.ts";
import { scrollDelta } from "../tui/widgets/scroll_text.ts";

export const SOCKETS_HELP: readonly { key: string; description: string }[] = [
  { key: "Up Down j k", description: "select a connection (PgUp PgDn Home End: a page, the ends)" },
  { key: "Enter", description: "show only the selected connection's events (Esc shows all)" },
  { key: "Space", description: "pause the event stream (the servers keep serving)" },
  { key: "[ ]  f", description: "scroll the events back / forward; f follows the newest" },
  { key: "n", description: "show the next server's connections, events and counts" },
  { key: "s l x c", description: "write :serve, :load 100, :stop, :compare on the command line" },
  { key: "t", description: "show or hide the comparison table (Esc hides it)" },
];

export type SocketsIntent =
  | { kind: "state"; state: SocketsState }
  /** Opens the `:` line with this text written, for Enter to run. */
  | { kind: "command-line"; text: string }
  /** Sets the panel's `/` filter (the event stream's). */
  | { kind: "filter"; text: string };

export function updateSocketsKey(
  state: SocketsState,
  key: KeyEvent,
  layout: SocketsLayout,
): SocketsIntent | undefined {
  const total = state.snapshot?.connections.total ?? 0;
  const select = (selected: number): SocketsIntent => ({
    kind: "state",
    state: { ...state, selected: Math.max(0, Math.min(selected, total - 1)) },
  });
  const logHeight = Math.max(1, layout.events.height - 1);
  const scroll = (delta: number): SocketsIntent => ({
    kind: "state",
    state: { ...state, log: logScroll(state.log, state.events, delta, logHeight) },
  });
  // The moving keys (arrows, j/k, PgUp/PgDn, Home/End), as everywhere in warren.
  const move = scrollDelta(formatKey(key), connectionPage(layout));
  if (move !== undefined) return select(state.selected + move);
  switch (formatKey(key)) {
    case "enter": {
      const conn = selectedConnection(state);
      return conn ? { kind: "filter", text: `#${conn.id}` } : undefined;
    }
    case "space":
      return { kind: "state", state: { ...state, paused: !state.paused } };
    case "[":
      return scroll(-Math.max(1, logHeight - 1));
    case "]":
      return scroll(Math.max(1, logHeight - 1));
    case "f":
      return { kind: "state", state: { ...state, log: { follow: true, top: 0 } } };
    case "n":
      return nextServer(state);
    case "s":
      return { kind: "command-line", text: "serve " };
    case "l":
      return { kind: "command-line", text: "load 100" };
    case "x":
      return { kind: "command-line", text: "stop" };
    case "c":
      return { kind: "command-line", text: "compare 100" };
    case "t":
      return { kind: "state", state: { ...state, showCompare: !state.showCompare } };
    case "escape":
      return state.showCompare
        ? { kind: "state", state: { ...state, showCompare: false } }
        : undefined;
  }
  return undefined;
}

function nextServer(state: SocketsState): SocketsIntent | undefined {
  const names = state.snapshot?.servers.map((s) => s.name) ?? [];
  if (names.length < 2) return undefined;
  const shown = state.snapshot?.shown ?? null;
  const i = shown === null ? -1 : names.indexOf(shown);
  const server = names[(i + 1) % names.length]!;
  return { kind: "state", state: { ...state, server, selected: 0 } };
}
