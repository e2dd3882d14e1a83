import assert from "node:assert/strict";
import { ScreenBuffer } from "../../../src/tui/buffer.ts";
import { symbolsFor } from "../../../src/tui/symbols.ts";
import { renderBlock } from "../../../src/tui/widgets/block.ts";
import {
  filterRows,
  renderTable,
  sortRows,
  type TableProps,
} from "../../../src/tui/widgets/table.ts";
import { renderList } from "../../../src/tui/widgets/list.ts";
import {
  clampSelection,
  moveSelection,
  scrollOffset,
  selectLast,
} from "../../../src/tui/widgets/selection.ts";
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

const rows = [
  ["alpha", "1"],
  ["beta", "22"],
  ["gamma", "333"],
  ["delta", "4"],
  ["epsilon-long", "5"],
];
const tableProps: TableProps = {
  columns: [
    { title: "NAME", width: { fill: 1 } },
    { title: "READY", width: { fixed: 7 }, align: "right" },
  ],
  rows,
  sort: { column: 1, descending: true },
};

Deno.test("renderTable() draws header with sort mark, aligned cells, and scrolls to the selection", () => {
  const buf = new ScreenBuffer(16, 4);
  const out = renderTable(buf, buf.area, tableProps, { selected: 3, offset: 0 });
  assertGrid(buf.toLines(), [
    "NAME     READY ▼",
    "beta          22",
    "gamma        333",
    "delta          4",
  ]);
  assert.deepEqual(out, { offset: 1, visibleRows: 3 });
  assert.deepEqual(buf.cell(0, 3).style, { reverse: true });
  assert.deepEqual(buf.cell(15, 3).style, { reverse: true });
  assert.deepEqual(buf.cell(0, 2).style, {});
  assert.deepEqual(buf.cell(0, 0).style, { bold: true });
});

Deno.test("renderTable() cuts long cells with an ellipsis and keeps the window where it was", () => {
  const buf = new ScreenBuffer(16, 3);
  const out = renderTable(buf, buf.area, tableProps, { selected: 4, offset: 3 });
  assertGrid(buf.toLines(), [
    "NAME     READY ▼",
    "delta          4",
    "epsilon…       5",
  ]);
  assert.equal(out.offset, 3);
});

Deno.test("renderTable() shows the empty text when there are no rows", () => {
  const grid = renderToGrid(
    (buf) => {
      renderTable(buf, buf.area, {
        ...tableProps,
        rows: [],
        sort: undefined,
        emptyText: "no match",
      });
    },
    16,
    3,
  );
  assertGrid(grid, ["NAME       READY", "no match        ", "                "]);
});

Deno.test("filterRows() matches any cell case-insensitively; sortRows() sorts numbers as numbers", () => {
  assert.deepEqual(filterRows(rows, "ALP").map((r) => r[0]), ["alpha"]);
  assert.deepEqual(filterRows(rows, "3").map((r) => r[0]), ["gamma"]);
  assert.equal(filterRows(rows, "  ").length, 5);
  assert.deepEqual(sortRows(rows, 1).map((r) => r[1]), ["1", "4", "5", "22", "333"]);
  assert.deepEqual(sortRows(rows, 0, true).map((r) => r[0]), [
    "gamma",
    "epsilon-long",
    "delta",
    "beta",
    "alpha",
  ]);
  assert.deepEqual(sortRows([["a", "10 ms"], ["b", "9 ms"]], 1).map((r) => r[0]), ["b", "a"]);
});

Deno.test("selection helpers stop at the ends and clamp after the rows shrink", () => {
  let s = { selected: null as number | null, offset: 0 };
  s = moveSelection(s, 1, 3);
  assert.equal(s.selected, 0);
  s = moveSelection(s, 10, 3);
  assert.equal(s.selected, 2);
  s = moveSelection(s, -1, 3);
  assert.equal(s.selected, 1);
  assert.equal(selectLast(s, 7).selected, 6);
  assert.deepEqual(clampSelection({ selected: 6, offset: 5 }, 2), { selected: 1, offset: 1 });
  assert.deepEqual(clampSelection({ selected: 6, offset: 5 }, 0), { selected: null, offset: 0 });
  assert.equal(scrollOffset(0, 9, 4, 20), 6);
  assert.equal(scrollOffset(8, 5, 4, 20), 5);
  assert.equal(scrollOffset(30, null, 4, 20), 16);
  assert.equal(scrollOffset(3, 2, 10, 5), 0);
});

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
