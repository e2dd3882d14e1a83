import assert from "node:assert/strict";
import { ScreenBuffer } from "../../src/tui/buffer.ts";
import { assertGrid, renderToGrid } from "./support/grid.ts";

Deno.test("setString() writes text and returns the x after it", () => {
  const buf = new ScreenBuffer(8, 2);
  assert.equal(buf.setString(1, 0, "abc"), 4);
  assertGrid(buf.toLines(), [" abc    ", "        "]);
});

Deno.test("setString() clips to the buffer edge and to maxWidth", () => {
  const grid = renderToGrid(
    (buf) => {
      buf.setString(3, 0, "abcdef");
      buf.setString(0, 1, "abcdef", {}, 2);
      buf.setString(-2, 2, "xyz");
      buf.setString(0, 5, "off the buffer");
    },
    5,
    3,
  );
  assertGrid(grid, ["   ab", "ab   ", "z    "]);
});

Deno.test("setString() gives a wide character two cells and omits the continuation in toLines()", () => {
  const buf = new ScreenBuffer(6, 1);
  assert.equal(buf.setString(0, 0, "中文x"), 5);
  assertGrid(buf.toLines(), ["中文x "]);
  assert.equal(buf.cell(0, 0).width, 2);
  assert.equal(buf.cell(1, 0).symbol, "");
  assert.equal(buf.cell(1, 0).width, 0);
});

Deno.test("setString() replaces a wide character straddling the clip edge with a space", () => {
  const grid = renderToGrid(
    (buf) => {
      buf.setString(0, 0, "ab中");
      buf.setString(0, 1, "中文", {}, 3);
      buf.setString(-1, 2, "中x");
    },
    3,
    3,
  );
  assertGrid(grid, ["ab ", "中 ", " x "]);
});

Deno.test("setString() over half of a wide character blanks the other half", () => {
  const grid = renderToGrid(
    (buf) => {
      buf.setString(0, 0, "中文");
      buf.setString(1, 0, "x"); // over the continuation of 中
      buf.setString(0, 1, "中文");
      buf.setString(2, 1, "y"); // over the leading half of 文
      buf.setString(0, 2, "中文");
      buf.setString(1, 2, "字"); // straddles both
    },
    4,
    3,
  );
  assertGrid(grid, [" x文", "中y ", " 字 "]);
});

Deno.test("setString() attaches combining marks and drops control characters", () => {
  const buf = new ScreenBuffer(4, 1);
  assert.equal(buf.setString(0, 0, "e\u0301\x07z"), 2);
  assert.equal(buf.cell(0, 0).symbol, "e\u0301");
  assertGrid(buf.toLines(), ["e\u0301z  "]);
});

Deno.test("setString() merges its style over the cell's style", () => {
  const buf = new ScreenBuffer(3, 1);
  buf.fill(buf.area, " ", { bg: 4 });
  buf.setString(0, 0, "a", { fg: "#ff0000", bold: true });
  assert.deepEqual(buf.cell(0, 0).style, { fg: "#ff0000", bg: 4, bold: true });
  buf.setString(0, 0, "b", { bold: false });
  assert.deepEqual(buf.cell(0, 0).style, { fg: "#ff0000", bg: 4 });
});

Deno.test("setStyle() merges over a rect and styles both halves of a cut wide character", () => {
  const buf = new ScreenBuffer(4, 2);
  buf.setString(0, 0, "中文");
  buf.setStyle({ x: 1, y: 0, width: 2, height: 1 }, { reverse: true });
  for (let x = 0; x < 4; x++) assert.deepEqual(buf.cell(x, 0).style, { reverse: true });
  assert.deepEqual(buf.cell(0, 1).style, {});
});

Deno.test("fill() paints symbol and exact style, clipped to the buffer", () => {
  const grid = renderToGrid(
    (buf) => {
      buf.setString(0, 0, "abcd", { bold: true });
      buf.fill({ x: 2, y: 0, width: 9, height: 9 }, ".", { fg: 2 });
    },
    4,
    2,
  );
  assertGrid(grid, ["ab..", "  .."]);
});

Deno.test("fill() replaces the old style instead of merging", () => {
  const buf = new ScreenBuffer(2, 1);
  buf.setString(0, 0, "ab", { bold: true, fg: 1 });
  buf.fill(buf.area, "x", { bg: 3 });
  assert.deepEqual(buf.cell(0, 0).style, { bg: 3 });
});

Deno.test("clear() and resize() empty the buffer; cell() rejects coordinates outside it", () => {
  const buf = new ScreenBuffer(3, 1);
  buf.setString(0, 0, "abc", { underline: true });
  buf.clear();
  assertGrid(buf.toLines(), ["   "]);
  assert.deepEqual(buf.cell(2, 0).style, {});
  buf.resize(2, 2);
  assert.deepEqual(buf.area, { x: 0, y: 0, width: 2, height: 2 });
  assertGrid(buf.toLines(), ["  ", "  "]);
  assert.throws(() => buf.cell(2, 0), RangeError);
});

Deno.test("copyFrom() makes an independent copy", () => {
  const a = new ScreenBuffer(3, 1);
  a.setString(0, 0, "中a", { fg: 9 });
  const b = new ScreenBuffer(1, 1);
  b.copyFrom(a);
  a.clear();
  assertGrid(b.toLines(), ["中a"]);
  assert.deepEqual(b.cell(2, 0).style, { fg: 9 });
});

Deno.test("fill() uses one character per cell and blanks wide characters cut by its edges", () => {
  const grid = renderToGrid(
    (buf) => {
      buf.setString(0, 0, "中文字");
      buf.fill({ x: 1, y: 0, width: 3, height: 1 }, "ab");
      buf.fill({ x: 0, y: 1, width: 6, height: 1 }, "");
      buf.fill({ x: 0, y: 2, width: 5, height: 1 }, "字");
    },
    6,
    3,
  );
  assertGrid(grid, [" aaa字", "      ", "字字  "]);
});
