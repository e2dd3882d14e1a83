import assert from "node:assert/strict";
import { ScreenBuffer } from "../../../src/tui/buffer.ts";
import { renderTabs } from "../../../src/tui/widgets/tabs.ts";
import { assertGrid } from "../support/grid.ts";

Deno.test("renderTabs() numbers the tabs and highlights the active one", () => {
  const buf = new ScreenBuffer(50, 1);
  const hits = renderTabs(buf, buf.area, {
    titles: ["Overview", "Coroutines", "Sockets", "RabbitMQ"],
    active: 1,
  });
  assertGrid(buf.toLines(), ["1 Overview  2 Coroutines  3 Sockets  4 RabbitMQ   "]);
  assert.deepEqual(hits.map((h) => [h.x, h.width]), [[0, 10], [12, 12], [26, 9], [37, 10]]);
  assert.deepEqual(buf.cell(12, 0).style, { reverse: true, bold: true });
  assert.deepEqual(buf.cell(23, 0).style, { reverse: true, bold: true });
  assert.deepEqual(buf.cell(24, 0).style, {});
  assert.deepEqual(buf.cell(0, 0).style, {});
});
