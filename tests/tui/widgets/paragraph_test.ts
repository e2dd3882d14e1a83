import assert from "node:assert/strict";
import { symbolsFor } from "../../../src/tui/symbols.ts";
import { renderParagraph } from "../../../src/tui/widgets/paragraph.ts";
import { assertGrid, renderToGrid } from "../support/grid.ts";

Deno.test("renderParagraph() wraps and centers text in its rect", () => {
  const grid = renderToGrid(
    (buf) => {
      renderParagraph(buf, { x: 1, y: 0, width: 10, height: 3 }, {
        text: "coroutines will show here",
        align: "center",
      });
    },
    12,
    3,
  );
  assertGrid(grid, [" coroutines ", " will show  ", "    here    "]);
});

Deno.test("renderParagraph() marks text that does not fit with an ellipsis", () => {
  let used = 0;
  const grid = renderToGrid(
    (buf) => {
      used = renderParagraph(buf, buf.area, {
        text: "one two three four",
        symbols: symbolsFor(false),
      });
    },
    9,
    2,
  );
  assertGrid(grid, ["one two  ", "three~   "]);
  assert.equal(used, 2);
});
