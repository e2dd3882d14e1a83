/**
 * The scenario menu (`s` on the RabbitMQ panel): the lesson's six scenarios,
 * one line each, as an overlay list. Enter runs the selected one as
 * `:scenario NAME` would; `n` toggles work's comparison without prefetch.
 */
import type { Rect, ScreenBuffer } from "../tui/buffer.ts";
import type { KeyEvent } from "../tui/keys.ts";
import { formatKey } from "../tui/keys.ts";
import { renderMenu } from "../tui/widgets/menu.ts";
import { scrollDelta } from "../tui/widgets/scroll_text.ts";
import type { MqCommand } from "../lab/protocol.ts";
import { type ScenarioName, SCENARIOS } from "../lab/mq_protocol.ts";
import type { Theme } from "./theme.ts";

export interface ScenarioMenu {
  kind: "scenario-menu";
  selected: number;
  /** Work runs its workers without prefetch 1 (to compare the dispatch). */
  noPrefetch: boolean;
}

/** One line each, in the lesson's words. */
export const SCENARIO_ABOUT: Record<ScenarioName, string> = {
  hello: "queue hello: one message through the default exchange to a consumer",
  work: "task_queue: persistent tasks, two workers with prefetch 1 and acks, one slow",
  fanout: "logs (fanout): every subscriber gets every message",
  direct: "direct_logs: subscribers by severity (info, warning, error)",
  topic: "topic_logs: subscribers on *.orange.*, *.*.rabbit, lazy.# and #",
  rpc: "rpc_queue: a server computes fib(n), a client matches replies by id",
};

export function openScenarioMenu(): ScenarioMenu {
  return { kind: "scenario-menu", selected: 0, noPrefetch: false };
}

function about(name: ScenarioName, menu: ScenarioMenu): string {
  return name === "work" && menu.noPrefetch
    ? "task_queue: the same two workers WITHOUT prefetch (compare the dispatch)"
    : SCENARIO_ABOUT[name];
}

/**
 * The menu's keys: the new menu, `"close"`, a command to run (the menu
 * closes), or undefined for a key it ignores.
 */
export function scenarioMenuKey(
  menu: ScenarioMenu,
  key: KeyEvent,
): ScenarioMenu | "close" | MqCommand | undefined {
  const name = formatKey(key);
  const move = scrollDelta(name, SCENARIOS.length);
  if (move !== undefined) {
    const selected = Math.max(0, Math.min(SCENARIOS.length - 1, menu.selected + move));
    return selected === menu.selected ? undefined : { ...menu, selected };
  }
  switch (name) {
    case "escape":
    case "q":
    case "s":
      return "close";
    case "n":
      return { ...menu, noPrefetch: !menu.noPrefetch };
    case "enter": {
      const scenario = SCENARIOS[menu.selected]!;
      return scenario === "work" && menu.noPrefetch
        ? { type: "mq-scenario", name: scenario, prefetch: false }
        : { type: "mq-scenario", name: scenario };
    }
  }
  return undefined;
}

export function drawScenarioMenu(
  buf: ScreenBuffer,
  area: Rect,
  menu: ScenarioMenu,
  theme: Theme,
): void {
  const selected = SCENARIOS[menu.selected] ?? "hello";
  renderMenu(buf, area, {
    title: "Run a scenario",
    items: SCENARIOS.map((name) => `${name.padEnd(7)} ${about(name, menu)}`),
    selected: menu.selected,
    about: about(selected, menu),
    footer: "Enter runs  n work without prefetch  Esc closes",
    symbols: theme.symbols,
  });
}
