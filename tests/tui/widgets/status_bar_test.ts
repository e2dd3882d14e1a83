import assert from "node:assert/strict";
import { ScreenBuffer } from "../../../src/tui/buffer.ts";
import { renderStatusBar } from "../../../src/tui/widgets/status_bar.ts";
import { assertGrid, renderToGrid } from "../support/grid.ts";

Deno.test("renderStatusBar() puts the right segments at the right edge", () => {
  const buf = new ScreenBuffer(40, 1);
  renderStatusBar(buf, buf.area, { left: ["warren", "amqp://127.0.0.1:5672"], right: ["15 fps"] });
  assertGrid(buf.toLines(), ["warren │ amqp://127.0.0.1:5672    15 fps"]);
  assert.deepEqual(buf.cell(35, 0).style, { reverse: true });
});

Deno.test("renderStatusBar() cuts the left side first when the bar is narrow", () => {
  const grid = renderToGrid(
    (buf) => {
      renderStatusBar(buf, buf.area, {
        left: ["warren", "amqp://127.0.0.1:5672"],
        right: ["15 fps"],
      });
    },
    20,
    1,
  );
  assertGrid(grid, ["warren │ amq… 15 fps"]);
});
