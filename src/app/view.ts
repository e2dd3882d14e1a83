/**
 * view(state) -> buffer: the whole screen, drawn from state alone.
 *
 *   row 0        tabs                                   warren
 *   rows 1..h-2  the active panel (a bordered block)
 *   row h-1      status bar, or the `:` / `/` line while one is open
 */
import type { Rect, ScreenBuffer } from "../tui/buffer.ts";
import { splitRows } from "../tui/layout.ts";
import type { Style } from "../tui/style.ts";
import type { Symbols } from "../tui/symbols.ts";
import { stringWidth } from "../tui/width.ts";
import { renderBlock } from "../tui/widgets/block.ts";
import { renderCommandLine } from "../tui/widgets/command_line.ts";
import { renderHelp } from "../tui/widgets/help.ts";
import { renderStatusBar } from "../tui/widgets/status_bar.ts";
import { renderTabs } from "../tui/widgets/tabs.ts";
import { renderTextInput } from "../tui/widgets/text_input.ts";
import { COMMANDS } from "./commands.ts";
import { GLOBAL_BINDINGS } from "./keymap.ts";
import { type AppState, isTooSmall, MIN_HEIGHT, MIN_WIDTH } from "./model.ts";
import { PANELS } from "./panels.ts";

export interface Theme {
  symbols: Symbols;
  styles: ThemeStyles;
}

export interface ThemeStyles {
  tab: Style;
  activeTab: Style;
  status: Style;
  error: Style;
  border: Style;
}

/** With colors: cyan accents on the default background. */
export const COLOR_STYLES: ThemeStyles = {
  tab: { fg: 7 },
  activeTab: { fg: 0, bg: 6, bold: true },
  status: { fg: 0, bg: 7 },
  error: { fg: 15, bg: 1, bold: true },
  border: { fg: 6 },
};

/** Without colors (NO_COLOR, --color never) emphasis comes from reverse video and bold. */
export const MONO_STYLES: ThemeStyles = {
  tab: {},
  activeTab: { reverse: true, bold: true },
  status: { reverse: true },
  error: { reverse: true, bold: true },
  border: {},
};

const DIM: Style = { dim: true };

export function view(state: AppState, buf: ScreenBuffer, theme: Theme): void {
  buf.clear();
  if (isTooSmall(state)) {
    drawTooSmall(state, buf);
    return;
  }
  const [tabsRow, body, statusRow] = splitRows(buf.area, [{ fixed: 1 }, { fill: 1 }, {
    fixed: 1,
  }]) as [Rect, Rect, Rect];
  drawTabs(state, buf, tabsRow, theme);
  drawPanel(state, buf, body, theme);
  drawBottomLine(state, buf, statusRow, theme);
  if (state.overlay.kind === "help") drawHelp(state, buf, body, theme);
}

function drawTooSmall(state: AppState, buf: ScreenBuffer): void {
  const lines = [
    `terminal too small: need ${MIN_WIDTH}x${MIN_HEIGHT}, have ${state.width}x${state.height}`,
    "enlarge the window, or press q to quit",
  ];
  const top = Math.max(0, Math.floor((buf.height - lines.length) / 2));
  lines.forEach((line, i) => {
    const x = Math.max(0, Math.floor((buf.width - stringWidth(line)) / 2));
    buf.setString(x, top + i, line, i === 0 ? { bold: true } : DIM);
  });
}

function drawTabs(state: AppState, buf: ScreenBuffer, row: Rect, theme: Theme): void {
  const active = PANELS.findIndex((p) => p.id === state.panel);
  renderTabs(buf, row, {
    titles: PANELS.map((p) => p.title),
    active,
    style: theme.styles.tab,
    activeStyle: theme.styles.activeTab,
    divider: "  ",
  });
  const name = "warren";
  buf.setString(row.x + row.width - name.length, row.y, name, { bold: true });
}

function drawPanel(state: AppState, buf: ScreenBuffer, area: Rect, theme: Theme): void {
  const panel = PANELS.find((p) => p.id === state.panel)!;
  const filter = state.filters[state.panel];
  const inner = renderBlock(buf, area, {
    title: panel.title,
    titleRight: filter ? `filter: ${filter}` : undefined,
    symbols: theme.symbols,
    borderStyle: theme.styles.border,
    titleStyle: { bold: true },
  });
  buf.setString(inner.x + 1, inner.y, panel.pending, DIM, inner.width - 2);
}

function drawBottomLine(state: AppState, buf: ScreenBuffer, row: Rect, theme: Theme): void {
  const overlay = state.overlay;
  if (overlay.kind === "command") {
    renderCommandLine(buf, row, { prompt: ":", symbols: theme.symbols }, overlay.line);
    return;
  }
  if (overlay.kind === "filter") {
    renderTextInput(
      buf,
      row,
      { prompt: "/", placeholder: "filter (Enter keeps, Esc cancels)" },
      overlay.line,
    );
    return;
  }
  if (state.message) {
    renderStatusBar(buf, row, {
      left: [state.message.text],
      right: ["Esc dismisses"],
      style: state.message.level === "error" ? theme.styles.error : theme.styles.status,
      symbols: theme.symbols,
    });
    return;
  }
  renderStatusBar(buf, row, {
    left: ["? help", ": command", "/ filter", "Tab panels", "q quit"],
    style: theme.styles.status,
    symbols: theme.symbols,
  });
}

function drawHelp(state: AppState, buf: ScreenBuffer, area: Rect, theme: Theme): void {
  const panel = PANELS.find((p) => p.id === state.panel)!;
  renderHelp(buf, area, {
    title: `Help: ${panel.title}`,
    entries: [
      ...GLOBAL_BINDINGS.map((b) => ({ key: b.label, description: b.description })),
      ...COMMANDS.map((c) => ({ key: c.usage, description: c.summary })),
    ],
    footer: "Esc closes",
    symbols: theme.symbols,
  });
}
