import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { initialState } from "../../src/app/model.ts";
import { COLOR_STYLES, MONO_STYLES } from "../../src/app/theme.ts";
import { view } from "../../src/app/view.ts";
import { helpContent } from "../../src/app/help.ts";
import { update } from "../../src/app/update.ts";
import { symbolsFor } from "../../src/tui/symbols.ts";
import { assertGrid, renderToGrid } from "../tui/support/grid.ts";
import { type AppState } from "../../src/app/model.ts";

const unicode = { symbols: symbolsFor(true), styles: COLOR_STYLES };
const ascii = { symbols: symbolsFor(false), styles: MONO_STYLES };

function draw(state: AppState, theme = unicode): string[] {
  return renderToGrid((buf) => view(state, buf, theme), state.width, state.height);
}

Deno.test("view() draws tabs, the panel and the status bar at 80x24", () => {
  const blank = `│${" ".repeat(78)}│`;
  assertGrid(draw(initialState()), [
    "1 Overview  2 Coroutines  3 Sockets  4 RabbitMQ                           warren",
    `┌ Overview ${"─".repeat(68)}┐`,
    "│ Coroutines  The lab runs in the live dashboard only (deno task start).       │",
    "│ Sockets     no echo server (:serve MODEL starts one, :load N loads it)       │",
    "│ RabbitMQ    The broker is read in the live dashboard only (deno task start). │",
    "│             no actors (s on the RabbitMQ panel, or :scenario NAME)           │",
    ...Array(16).fill(blank),
    `└${"─".repeat(78)}┘`,
    "? help │ : command │ Tab panels │ q quit" + " ".repeat(40),
  ]);
});

Deno.test("view() uses ASCII borders when asked", () => {
  const rows = draw(initialState({ panel: "sockets" }), ascii);
  assertEquals(rows[1], `+ Sockets ${"-".repeat(69)}+`);
  assertEquals(rows[23]!.trimEnd(), "? help | : command | / filter | Tab panels | q quit");
  assert(rows.every((row) => !/[\u2500-\u257f]/.test(row)));
});

Deno.test("view() shows the too-small notice centered below 80x22", () => {
  const rows = draw(initialState({ width: 60, height: 18 }));
  assertEquals(rows.length, 18);
  const notice = "terminal too small: need 80x22, have 60x18";
  assertEquals(rows[8], " ".repeat(9) + notice + " ".repeat(9));
  assert(rows.every((row) => !row.includes("Overview")));
});

Deno.test("view() draws the help overlay over the panel", async (t) => {
  const rows = draw({ ...initialState(), overlay: { kind: "help", offset: 0 } });
  const text = rows.join("\n");
  for (const expected of ["Help: Overview", "help for this panel", ":panel NAME", "Esc closes"]) {
    await t.step(expected, () => {
      assert(text.includes(expected), `missing ${expected}:\n${text}`);
    });
  }
});

Deno.test("view() shows the filter in the panel title and the message in the status bar", () => {
  const state: AppState = {
    ...initialState(),
    filters: { ...initialState().filters, overview: "abc" },
    message: { text: "unknown command: x (try :help)", level: "error" },
  };
  const rows = draw(state);
  assert(rows[1]!.includes("filter: abc"), rows[1]!);
  assert(rows[23]!.startsWith("unknown command: x (try :help)"), rows[23]!);
});

Deno.test("view() draws everything from 80x22 up (tmux or screen status line)", () => {
  const rows = draw(initialState({ width: 80, height: 22, panel: "sockets" }));
  assertEquals(rows.length, 22);
  assert(rows[0]!.startsWith("1 Overview"), rows[0]!);
  assert(rows[2]!.includes("The lab runs in the live dashboard only"), rows[2]!);
  assert(rows[21]!.startsWith("? help"), rows[21]!);
});

Deno.test("view() shows every help entry whole at 80x22, scrolling with what is above and below", async (t) => {
  for (const panel of ["overview", "coroutines", "sockets", "rabbitmq"] as const) {
    await t.step(panel, () => {
      let state: AppState = initialState({ panel, width: 80, height: 22 });
      state = update(state, { type: "key", key: "?", ctrl: false, alt: false, shift: false });
      const pages: string[] = [];
      for (let page = 0; page < 10; page++) {
        pages.push(draw(state).join("\n"));
        const next = update(state, {
          type: "key",
          key: "pagedown",
          ctrl: false,
          alt: false,
          shift: false,
        });
        if (next === state) break;
        state = next;
      }
      if (pages.length === 1) {
        assert(!pages[0]!.includes("more below"), pages[0]!);
      } else {
        assert(pages[0]!.includes("more below"), pages[0]!);
        assert(pages.at(-1)!.includes("more above"), pages.at(-1)!);
        assert(!pages.at(-1)!.includes("more below"), pages.at(-1)!);
      }
      // The words of every entry are on some page, none of them cut.
      const words = pages.join("\n").split(/[\s│┃]+/);
      for (const { key, description } of helpContent(state).entries) {
        for (const word of `${key} ${description}`.split(/\s+/)) {
          assert(words.includes(word), `help of ${panel}: '${word}' of '${description}' is cut`);
        }
      }
    });
  }
});

Deno.test("view() shows a status message longer than the line whole, wrapped above it", () => {
  const text = "no demo 'nosuch' (demos: baozi, greenlet, gevent, sync-async, fetch, blocking); " +
    "press d for the menu";
  const rows = draw({
    ...initialState({ width: 80, height: 22 }),
    message: { text, level: "error" },
  });
  const bottom = rows.slice(-3).map((r) => r.trimEnd());
  const words = bottom.join(" ").split(/\s+/);
  for (const word of text.split(" ")) {
    assert(words.includes(word), `'${word}' is cut:\n${bottom.join("\n")}`);
  }
  assert(rows[21]!.trimEnd().endsWith("Esc dismisses"), rows[21]!);
  assert(rows[0]!.startsWith("1 Overview"), "the tabs stay");
});
