/**
 * What the `?` overlay lists for the current panel, and how far it scrolls:
 * `view` draws it and `update` moves through it, so both read it from here.
 */
import { type HelpEntry, helpLayout } from "../tui/widgets/help.ts";
import { COMMANDS } from "./commands.ts";
import { COROUTINES_HELP } from "./coroutines_keys.ts";
import { SOCKETS_HELP } from "./sockets_keys.ts";
import { RABBIT_HELP } from "./rabbit_update.ts";
import { ACTORS_HELP } from "./mq_update.ts";
import { globalHelp } from "./keymap.ts";
import type { AppState } from "./model.ts";
import { PANELS } from "./panels.ts";
import { screenLayout } from "./screen_layout.ts";

export interface HelpContent {
  title: string;
  entries: HelpEntry[];
  footer: string;
}

export function helpContent(state: AppState): HelpContent {
  const content = fixedContent(state);
  // The scroll keys are named only when there is something to scroll.
  const scrolls = helpLayout(screenLayout(state.width, state.height).body, content).maxOffset > 0;
  return scrolls
    ? { ...content, footer: `Up/Down j/k PgUp/PgDn Home/End scroll  ${content.footer}` }
    : content;
}

function fixedContent(state: AppState): HelpContent {
  const panel = PANELS.find((p) => p.id === state.panel)!;
  return {
    title: `Help: ${panel.title}`,
    entries: [
      ...(state.panel === "coroutines" ? COROUTINES_HELP : []),
      ...(state.panel === "sockets" ? SOCKETS_HELP : []),
      ...(state.panel === "rabbitmq" ? [...RABBIT_HELP, ...ACTORS_HELP] : []),
      ...globalHelp(state.panel),
      ...COMMANDS.map((c) => ({ key: c.usage, description: c.summary })),
    ],
    footer: "Esc closes",
  };
}

/** How the help scrolls on this screen: lines shown at once, and the largest offset. */
export function helpScroll(state: AppState): { rows: number; maxOffset: number } {
  const { body } = screenLayout(state.width, state.height);
  const { rows, maxOffset } = helpLayout(body, helpContent(state));
  return { rows, maxOffset };
}
