import assert from "node:assert/strict";
import { ScreenBuffer } from "../../../src/tui/buffer.ts";
import { renderList } from "../../../src/tui/widgets/list.ts";
import { assertGrid, renderToGrid } from "../support/grid.ts";

Deno.test("renderList() marks and highlights the selected item and scrolls to it", () => {
  const buf = new ScreenBuffer(8, 2);
  const out = renderList(buf, buf.area, {
    items: ["one", "two", { text: "three", style: { fg: 2 } }],
  }, {
    selected: 2,
    offset: 0,
  });
  assertGrid(buf.toLines(), ["  two   ", "▶ three "]);
  assert.equal(out.offset, 1);
  assert.deepEqual(buf.cell(3, 1).style, { fg: 2, reverse: true });
  assert.deepEqual(buf.cell(3, 0).style, {});
});

Deno.test("renderList() shows the empty text for no items", () => {
  assertGrid(
    renderToGrid((buf) => renderList(buf, buf.area, { items: [], emptyText: "none yet" }), 10, 1),
    ["none yet  "],
  );
});
