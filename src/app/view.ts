/**
 * view(state) -> buffer: the whole screen, drawn from state alone.
 *
 *   row 0        tabs                                   warren
 *   rows 1..h-2  the active panel (a bordered block)
 *   row h-1      status bar, or the `:` / `/` line while one is open
 */
import type { Rect, ScreenBuffer } from "../tui/buffer.ts";
import type { Style } from "../tui/style.ts";
import { stringWidth, truncateToWidth, wrapText } from "../tui/width.ts";
import { renderBlock } from "../tui/widgets/block.ts";
import { renderCommandLine } from "../tui/widgets/command_line.ts";
import { renderConfirm } from "../tui/widgets/confirm.ts";
import { renderHelp } from "../tui/widgets/help.ts";
import { renderMenu } from "../tui/widgets/menu.ts";
import { renderStatusBar } from "../tui/widgets/status_bar.ts";
import { renderTabs } from "../tui/widgets/tabs.ts";
import { renderTextInput } from "../tui/widgets/text_input.ts";
import { coroutinesSummary, drawCoroutines } from "./coroutines_view.ts";
import { helpContent } from "./help.ts";
import { socketsOverview } from "./sockets_overview.ts";
import { drawSockets } from "./sockets_view.ts";
import { busyLine, stuckName } from "./lab_busy.ts";
import { type AppState, isTooSmall, MIN_HEIGHT, MIN_WIDTH, type StatusMessage } from "./model.ts";
import { panelFilters, PANELS } from "./panels.ts";
import { type ScreenLayout, screenLayout } from "./screen_layout.ts";
import type { Theme } from "./theme.ts";
import { brokerProblem, brokerSegments, MGMT_FIX, mgmtBanner } from "./broker_status.ts";
import { drawRabbit, rabbitOverviewLine } from "./rabbit_view.ts";
import { actorsLine } from "./mq.ts";
import { drawScenarioMenu } from "./scenario_menu.ts";

const DIM: Style = { dim: true };

export function view(state: AppState, buf: ScreenBuffer, theme: Theme): void {
  buf.clear();
  if (isTooSmall(state)) {
    drawTooSmall(state, buf);
    return;
  }
  const layout = screenLayout(state.width, state.height);
  drawTabs(state, buf, layout.tabs, theme);
  drawPanel(state, buf, layout, theme);
  drawBottomLine(state, buf, layout.status, theme);
  drawMgmtBanner(state, buf, layout.body, theme);
  drawOverlay(state, buf, layout.body, theme);
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

function drawPanel(state: AppState, buf: ScreenBuffer, layout: ScreenLayout, theme: Theme): void {
  const panel = PANELS.find((p) => p.id === state.panel)!;
  const filter = state.filters[state.panel];
  renderBlock(buf, layout.body, {
    title: panel.title,
    titleRight: filter ? `filter: ${filter} (Esc clears)` : undefined,
    symbols: theme.symbols,
    borderStyle: theme.styles.border,
    titleStyle: { bold: true },
  });
  const area = layout.panel;
  switch (state.panel) {
    case "overview":
      drawOverview(state, buf, area);
      return;
    case "coroutines":
      drawCoroutines(buf, area, state.coroutines, labLine(state), filter, theme);
      return;
    case "sockets":
      drawSockets(buf, area, state.sockets, labLine(state), filter, theme);
      return;
    case "rabbitmq":
      drawRabbit(buf, area, state, filter, theme);
      return;
  }
}

/** Why the lab shows nothing, when it does not run. */
function labLine(state: AppState): string | undefined {
  switch (state.lab.status) {
    case "off":
      return "The lab runs in the live dashboard only (deno task start).";
    case "failed":
      return `the lab failed: ${state.lab.error} (:restart-lab starts a fresh one)`;
    case "running":
      return undefined;
  }
}

function drawOverview(state: AppState, buf: ScreenBuffer, area: Rect): void {
  const row = (title: string, text: string) => `${title.padEnd(11)} ${text}`;
  const summary = coroutinesSummary(state.coroutines);
  const { stuck } = state.coroutines;
  // A busy lab sends nothing: its last figures are shown as what they are.
  const coroutines = stuck && summary
    ? [
      { text: row("Coroutines", busyLine(stuck, stuckName(state.coroutines))), style: undefined },
      // Wrapped: the figures are the point, so none is cut off.
      ...wrapText(`stale: ${summary}`, Math.max(1, area.width - 12)).map((text) => ({
        text: row("", text),
        style: DIM,
      })),
    ]
    : [{ text: row("Coroutines", summary ?? labLine(state) ?? "waiting..."), style: undefined }];
  // One line per server and load, wrapped: the figures are the point.
  const sockets = socketsOverview(state.sockets.snapshot).flatMap((text, i) =>
    wrapText(text, Math.max(1, area.width - 12)).map((part, j) => ({
      text: row(i === 0 && j === 0 ? "Sockets" : "", part),
      style: undefined,
    }))
  );
  const lines = [
    ...coroutines,
    ...sockets,
    ...rabbitOverview(state).map((text, i) => ({
      text: row(i === 0 ? "RabbitMQ" : "", text),
      style: state.rabbit.data ? undefined : DIM,
    })),
  ];
  lines.forEach((line, i) => buf.setString(area.x, area.y + i, line.text, line.style, area.width));
}

/** The broker in one line, then the actors in one (each wrapped whole), or why there is none. */
function rabbitOverview(state: AppState): string[] {
  const text = state.rabbit.data
    ? rabbitOverviewLine(state.rabbit.data, state.broker?.mgmt.state === "unreachable")
    : state.broker
    ? brokerProblem(state.broker) ?? "reading the management API..."
    : "The broker is read in the live dashboard only (deno task start).";
  const width = Math.max(1, state.width - 16);
  return [...wrapText(text, width), ...wrapText(actorsLine(state.mq.snapshot), width)];
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
    drawMessage(state.message, buf, row, theme);
    return;
  }
  const keys = [
    "? help",
    ": command",
    ...(panelFilters(state.panel) ? ["/ filter"] : []),
    "Tab panels",
    "q quit",
  ];
  const fewest = ["? help", "q quit"];
  const separator = ` ${theme.symbols.separator} `;
  const width = (texts: string[]) =>
    texts.reduce((sum, t) => sum + stringWidth(t), 0) +
    stringWidth(separator) * (texts.length - 1);
  const right = state.readOnly ? ["read-only"] : [];
  if (state.broker) {
    // [kind, url, api]: a long URL (a vhost's, or beside `read-only`) gives
    // way so the API's state and `? help` stay in view: first its scheme and
    // user go (host:port is what a person needs), then its end, cut with `…`.
    const [kind, url, api] = brokerSegments(state.broker);
    const room = (u: string) =>
      row.width - width([...fewest]) - 1 - width([...right, kind!, u, api!]);
    let shown = url!;
    if (room(shown) < 0) shown = shown.replace(/^amqps?:\/\/([^@/ ]*@)?/, "");
    if (room(shown) < 0) {
      shown = truncateToWidth(shown, stringWidth(shown) + room(shown), theme.symbols.ellipsis);
    }
    right.push(kind!, shown, api!);
  }
  // The broker's segments first: the keys fall back to `? help` (which lists them all).
  const fits = right.length === 0 || width(keys) + 1 + width(right) <= row.width;
  renderStatusBar(buf, row, {
    left: fits ? keys : fewest,
    right,
    style: theme.styles.status,
    symbols: theme.symbols,
  });
}

/**
 * When the management API cannot be reached while the broker itself answers:
 * a banner with the fix on the panel's bottom border, on every panel (it
 * explains what the RabbitMQ panel lacks); the URL and the error are in the
 * RabbitMQ panel, wrapped. A broker that is down takes its API with it: the
 * status bar's `reconnecting in Ns` says so, and the plugin is not the fix.
 */
function drawMgmtBanner(state: AppState, buf: ScreenBuffer, body: Rect, theme: Theme): void {
  if (mgmtBanner(state.broker) === undefined || body.height < 2) return;
  const long = ` management API unreachable; on RabbitMQ: ${MGMT_FIX} `;
  const short = ` no management API: ${MGMT_FIX} `;
  const text = stringWidth(long) <= body.width - 4 ? long : short;
  buf.setString(body.x + 2, body.y + body.height - 1, text, theme.styles.error, body.width - 4);
}

/**
 * The status message, whole: a message longer than the status line wraps at
 * word boundaries onto rows above it (over the panel's bottom), so no
 * sentence is cut. "Esc dismisses" stays on the last row.
 */
function drawMessage(message: StatusMessage, buf: ScreenBuffer, row: Rect, theme: Theme): void {
  const style = message.level === "error" ? theme.styles.error : theme.styles.status;
  const hint = "Esc dismisses";
  const lines = wrapText(message.text, Math.max(1, row.width - stringWidth(hint) - 2));
  const shown = lines.slice(0, Math.max(1, row.y - 1));
  shown.forEach((line, i) => {
    const last = i === shown.length - 1;
    renderStatusBar(buf, { ...row, y: row.y - shown.length + 1 + i }, {
      left: [line],
      right: last ? [hint] : [],
      style,
      symbols: theme.symbols,
    });
  });
}

function drawOverlay(state: AppState, buf: ScreenBuffer, area: Rect, theme: Theme): void {
  const overlay = state.overlay;
  switch (overlay.kind) {
    case "help":
      drawHelp(state, overlay.offset, buf, area, theme);
      return;
    case "demo-menu":
      drawDemoMenu(state, overlay.selected, buf, area, theme);
      return;
    case "scenario-menu":
      drawScenarioMenu(buf, area, overlay, theme);
      return;
    case "confirm":
      renderConfirm(buf, area, {
        title: "Confirm",
        message: overlay.message,
        symbols: theme.symbols,
      });
      return;
  }
}

function drawDemoMenu(
  state: AppState,
  selected: number,
  buf: ScreenBuffer,
  area: Rect,
  theme: Theme,
): void {
  const demos = state.coroutines.demos;
  renderMenu(buf, area, {
    title: "Run a demo",
    items: demos.map((d) => `${d.name.padEnd(11)} ${d.description}`),
    selected,
    about: demos[selected]?.description ?? "",
    footer: "Enter runs  Esc closes",
    symbols: theme.symbols,
  });
}

function drawHelp(state: AppState, offset: number, buf: ScreenBuffer, area: Rect, theme: Theme) {
  renderHelp(buf, area, { ...helpContent(state), offset, symbols: theme.symbols });
}
