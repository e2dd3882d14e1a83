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

Deno.test("renderHelp() scrolls from offset and says how many lines are above and below", () => {
  const entries = Array.from({ length: 9 }, (_, i) => ({ key: `${i}`, description: `item ${i}` }));
  const draw = (offset: number) =>
    renderToGrid(
      (buf) => renderHelp(buf, buf.area, { entries, offset, symbols: symbolsFor(false) }),
      36,
      7,
    );
  assertGrid(draw(0), [
    " # Help ==========================# ",
    " # 0  item 0                      # ",
    " # 1  item 1                      # ",
    " # 2  item 2                      # ",
    " # v 6 more below                 # ",
    " # Esc closes                     # ",
    " #================================# ",
  ]);
  assertGrid(draw(3).slice(1, 5), [
    " # 3  item 3                      # ",
    " # 4  item 4                      # ",
    " # 5  item 5                      # ",
    " # ^ 3 more above  v 3 more below # ",
  ]);
  // Past the end is clamped to the last page.
  assertGrid(draw(99).slice(1, 5), [
    " # 6  item 6                      # ",
    " # 7  item 7                      # ",
    " # 8  item 8                      # ",
    " # ^ 6 more above                 # ",
  ]);
});

Deno.test("renderHelp() wraps a long description at word boundaries under its column", () => {
  const entries = [
    {
      key: ":stress N",
      description: "spawn N sleeping tasks (at most 100000); :stress 0 kills them",
    },
  ];
  const grid = renderToGrid((buf) => renderHelp(buf, buf.area, { entries }), 44, 8);
  assertGrid(grid, [
    "┏ Help ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓",
    "┃ :stress N  spawn N sleeping tasks (at    ┃",
    "┃            most 100000); :stress 0 kills ┃",
    "┃            them                          ┃",
    "┃                                          ┃",
    "┃ Esc closes                               ┃",
    "┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛",
    "                                            ",
  ]);
});

Deno.test("renderHelp() gives a key wider than the key column a row of its own", () => {
  const entries = [
    { key: "q", description: "quit" },
    { key: ":load N [--size B] [--rate R]", description: "N clients echo for 10 s" },
  ];
  const grid = renderToGrid((buf) => renderHelp(buf, buf.area, { entries }), 40, 8);
  assertGrid(grid, [
    "┏ Help ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓",
    "┃ q                     quit           ┃",
    "┃ :load N [--size B] [--rate R]        ┃",
    "┃                       N clients echo ┃",
    "┃                       for 10 s       ┃",
    "┃                                      ┃",
    "┃ Esc closes                           ┃",
    "┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛",
  ]);
});
