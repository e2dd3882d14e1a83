import { symbolsFor } from "../../../src/tui/symbols.ts";
import { renderHelp } from "../../../src/tui/widgets/help.ts";
import { assertGrid, renderToGrid } from "../support/grid.ts";

Deno.test("renderHelp() draws a centered box of key/description pairs over the content", () => {
  const grid = renderToGrid(
    (buf) => {
      buf.fill(buf.area, "x");
      renderHelp(buf, buf.area, {
        entries: [{ key: "q", description: "quit" }, { key: "?", description: "help" }],
      });
    },
    30,
    8,
  );
  assertGrid(grid, [
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "xxxxxxxx┏ Help ━━━━━━┓xxxxxxxx",
    "xxxxxxxx┃ q  quit    ┃xxxxxxxx",
    "xxxxxxxx┃ ?  help    ┃xxxxxxxx",
    "xxxxxxxx┃            ┃xxxxxxxx",
    "xxxxxxxx┃ Esc closes ┃xxxxxxxx",
    "xxxxxxxx┗━━━━━━━━━━━━┛xxxxxxxx",
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
  ]);
});

Deno.test("renderHelp() says how many entries did not fit", () => {
  const entries = Array.from({ length: 9 }, (_, i) => ({ key: `${i}`, description: `item ${i}` }));
  const grid = renderToGrid(
    (buf) => renderHelp(buf, buf.area, { entries, symbols: symbolsFor(false) }),
    16,
    7,
  );
  assertGrid(grid, [
    " # Help ======# ",
    " # 0  item 0  # ",
    " # 1  item 1  # ",
    " # ~ 7 more   # ",
    " #            # ",
    " # Esc closes # ",
    " #============# ",
  ]);
});
