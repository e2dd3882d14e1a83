import assert from "node:assert/strict";
import { symbolsFor } from "../../../src/tui/symbols.ts";
import { renderBlock } from "../../../src/tui/widgets/block.ts";
import { assertGrid, renderToGrid } from "../support/grid.ts";

Deno.test("renderBlock() draws the border with the title and returns the inner area", () => {
  let inner;
  const grid = renderToGrid(
    (buf) => {
      inner = renderBlock(buf, { x: 0, y: 0, width: 12, height: 4 }, { title: "Queues" });
      buf.setString(inner.x, inner.y, "inside");
    },
    12,
    4,
  );
  assertGrid(grid, [
    "┌ Queues ──┐",
    "│inside    │",
    "│          │",
    "└──────────┘",
  ]);
  assert.deepEqual(inner, { x: 1, y: 1, width: 10, height: 2 });
});

Deno.test("renderBlock() cuts the title to leave room for the right title, in ASCII too", () => {
  const grid = renderToGrid(
    (buf) => {
      renderBlock(buf, buf.area, { title: "Queues", titleRight: "3", symbols: symbolsFor(false) });
    },
    12,
    3,
  );
  assertGrid(grid, [
    "+ Queu~  3 +",
    "|          |",
    "+----------+",
  ]);
});

Deno.test("renderBlock() uses the heavy border when focused", () => {
  const grid = renderToGrid((buf) => renderBlock(buf, buf.area, { focused: true }), 4, 3);
  assertGrid(grid, ["┏━━┓", "┃  ┃", "┗━━┛"]);
});
