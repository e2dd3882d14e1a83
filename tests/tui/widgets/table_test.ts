import assert from "node:assert/strict";
import { ScreenBuffer } from "../../../src/tui/buffer.ts";
import {
  filterRows,
  renderTable,
  sortRows,
  type TableProps,
} from "../../../src/tui/widgets/table.ts";
import { assertGrid, renderToGrid } from "../support/grid.ts";

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

Deno.test("renderTable() never lets the sort arrow eat a header's text", async (t) => {
  const draw = (column: number) => {
    const buf = new ScreenBuffer(22, 1);
    renderTable(buf, buf.area, {
      columns: [
        { title: "state", width: { fill: 1 } },
        { title: "switches", width: { fixed: 8 }, align: "right" },
        { title: "warn", width: { fixed: 5 }, align: "right" },
      ],
      rows: [],
      sort: { column },
    });
    return buf.toLines()[0]!.trimEnd();
  };
  // A title that fills its column takes the arrow into the blank gap before it.
  await t.step("switches", () => assert.equal(draw(1), "state  switches▲  warn"));
  await t.step("warn", () => assert.equal(draw(2), "state   switches warn▲"));
  await t.step("state", () => assert.equal(draw(0), "state ▲ switches  warn"));
});
