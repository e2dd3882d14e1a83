/**
 * Key bindings in normal mode, as data: `update` looks keys up here and the
 * help overlay lists the same table, so help can never drift from behaviour.
 */
import type { KeyEvent } from "../tui/keys.ts";
import { formatKey } from "../tui/keys.ts";
import { panelFilters, type PanelId, PANELS } from "./panels.ts";

export type KeyAction =
  | { kind: "help" }
  | { kind: "command" }
  | { kind: "filter" }
  | { kind: "next-panel"; step: 1 | -1 }
  | { kind: "panel"; panel: PanelId }
  | { kind: "redraw" }
  | { kind: "quit" };

export interface Binding {
  /** As `formatKey` prints them: "q", "ctrl+c", "shift+tab". */
  keys: string[];
  /**
   * Shown in help. Bindings that continue the line above (Shift-Tab after
   * Tab, 2..4 after 1) leave it empty so help fits an 80x24 screen.
   */
  label: string;
  description: string;
  action: KeyAction;
}

export const GLOBAL_BINDINGS: readonly Binding[] = [
  { keys: ["?"], label: "?", description: "help for this panel", action: { kind: "help" } },
  {
    keys: [":"],
    label: ":",
    description: "command line (:help lists commands)",
    action: { kind: "command" },
  },
  { keys: ["/"], label: "/", description: "filter the focused table", action: { kind: "filter" } },
  {
    keys: ["tab"],
    label: "Tab  Shift-Tab",
    description: "next / previous panel",
    action: { kind: "next-panel", step: 1 },
  },
  {
    keys: ["shift+tab"],
    label: "",
    description: "",
    action: { kind: "next-panel", step: -1 },
  },
  ...PANELS.map((panel, i): Binding => ({
    keys: [String(i + 1)],
    label: i === 0 ? `1-${PANELS.length}` : "",
    description: i === 0 ? PANELS.map((p) => p.title).join(", ") : "",
    action: { kind: "panel", panel: panel.id },
  })),
  {
    // Handled by the run loop (it owns the renderer); listed here for help.
    keys: [],
    label: "Ctrl-L",
    description: "redraw the screen",
    action: { kind: "redraw" },
  },
  {
    keys: ["q", "ctrl+c"],
    label: "q  Ctrl-C",
    description: "quit",
    action: { kind: "quit" },
  },
];

/** Help lines for the global keys on `panel`, one per label (`/` only where it filters). */
export function globalHelp(panel: PanelId): { key: string; description: string }[] {
  const filters = panelFilters(panel);
  return GLOBAL_BINDINGS.filter((b) => b.label !== "" && (b.action.kind !== "filter" || filters))
    .map((b) => ({
      key: b.label,
      description: b.action.kind === "filter"
        ? `filter the ${filters} (Enter keeps it, Esc clears it)`
        : b.description,
    }));
}

/** The action bound to `event` in normal mode, if any. */
export function lookupKey(event: KeyEvent): KeyAction | undefined {
  const name = formatKey(event);
  return GLOBAL_BINDINGS.find((b) => b.keys.includes(name))?.action;
}
