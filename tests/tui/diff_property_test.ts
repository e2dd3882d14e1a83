/**
 * The diff replayed in a real terminal emulator: random sequences of frames
 * (text with wide CJK characters, styles, fills, clears, resizes) are drawn,
 * diffed, and the bytes fed to @xterm/headless, which must then show exactly
 * the last buffer — its text and, cell by cell, its colors and attributes.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import xterm from "@xterm/headless";
import type { IBufferCell, Terminal as XTerminal } from "@xterm/headless";
import { ScreenBuffer } from "../../src/tui/buffer.ts";
import { Renderer } from "../../src/tui/diff.ts";
import {
  type Color,
  type ColorLevel,
  DEFAULT_COLOR,
  downgradePacked,
  packColor,
  type Style,
  TRUECOLOR,
} from "../../src/tui/style.ts";

const { Terminal } = xterm;
type Term = XTerminal;

type Op =
  | { kind: "text"; x: number; y: number; text: string; style: Style; max?: number }
  | { kind: "fill"; x: number; y: number; w: number; h: number; symbol: string; style: Style }
  | { kind: "style"; x: number; y: number; w: number; h: number; style: Style }
  | { kind: "clear" }
  | { kind: "resize"; width: number; height: number };

const color: fc.Arbitrary<Color | undefined> = fc.constantFrom<Color | undefined>(
  undefined,
  "default",
  1,
  4,
  9,
  15,
  100,
  231,
  244,
  "#123456",
  "#ff8000",
  "#ffffff",
);
const style: fc.Arbitrary<Style> = fc.record({
  fg: color,
  bg: color,
  bold: fc.constantFrom(undefined, true, false),
  underline: fc.constantFrom(undefined, true, false),
  reverse: fc.constantFrom(undefined, true, false),
}).map((s) => {
  const out: Style = {};
  for (const [k, v] of Object.entries(s)) {
    // deno-lint-ignore no-explicit-any
    if (v !== undefined) (out as any)[k] = v;
  }
  return out;
});
const text = fc.array(
  fc.constantFrom("a", "b", "Z", " ", "-", "中", "文", "字", "─", "│", "e\u0301", "ｱ"),
  {
    maxLength: 12,
  },
).map((chars) => chars.join(""));
const coord = fc.integer({ min: -2, max: 14 });
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("text" as const),
      x: coord,
      y: coord,
      text,
      style,
      max: fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("fill" as const),
      x: coord,
      y: coord,
      w: fc.nat(8),
      h: fc.nat(4),
      symbol: fc.constantFrom(" ", ".", "中"),
      style,
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("style" as const),
      x: coord,
      y: coord,
      w: fc.nat(8),
      h: fc.nat(4),
      style,
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "clear" as const }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("resize" as const),
      width: fc.integer({ min: 1, max: 14 }),
      height: fc.integer({ min: 1, max: 6 }),
    }),
  },
);

function apply(buf: ScreenBuffer, o: Op): void {
  switch (o.kind) {
    case "text":
      buf.setString(o.x, o.y, o.text, o.style, o.max);
      break;
    case "fill":
      buf.fill({ x: o.x, y: o.y, width: o.w, height: o.h }, o.symbol, o.style);
      break;
    case "style":
      buf.setStyle({ x: o.x, y: o.y, width: o.w, height: o.h }, o.style);
      break;
    case "clear":
      buf.clear();
      break;
    case "resize":
      buf.resize(o.width, o.height);
      break;
  }
}

function write(term: Term, data: string): Promise<void> {
  return new Promise((resolve) => term.write(data, resolve));
}

/** What xterm should report for a packed color at this level, as [mode, value]. */
function expectedColor(packed: number, level: ColorLevel): [string, number] {
  const c = downgradePacked(packed, level);
  if (c === DEFAULT_COLOR) return ["default", 0];
  if (c >= TRUECOLOR) return ["rgb", c & 0xffffff];
  return ["palette", c];
}

function assertShows(term: Term, buf: ScreenBuffer, level: ColorLevel, frame: number): void {
  const lines = buf.toLines();
  const active = term.buffer.active;
  for (let y = 0; y < buf.height; y++) {
    const line = active.getLine(active.viewportY + y);
    assert.equal(
      line?.translateToString(true).trimEnd(),
      lines[y]!.trimEnd(),
      `frame ${frame}, row ${y}`,
    );
    for (let x = 0; x < buf.width; x++) {
      if (buf.widths[y * buf.width + x] === 0) continue;
      const cell: IBufferCell = line!.getCell(x)!;
      const where = `frame ${frame}, cell (${x}, ${y}) '${buf.symbols[y * buf.width + x]}'`;
      const at = y * buf.width + x;
      const fg = expectedColor(buf.fg[at]!, level);
      const bg = expectedColor(buf.bg[at]!, level);
      const actualFg: [string, number] = cell.isFgDefault()
        ? ["default", 0]
        : [cell.isFgRGB() ? "rgb" : "palette", cell.getFgColor()];
      const actualBg: [string, number] = cell.isBgDefault()
        ? ["default", 0]
        : [cell.isBgRGB() ? "rgb" : "palette", cell.getBgColor()];
      assert.deepEqual(actualFg, fg, `${where}: fg`);
      assert.deepEqual(actualBg, bg, `${where}: bg`);
      assert.equal(cell.isBold() !== 0, (buf.attrs[at]! & 1) !== 0, `${where}: bold`);
      assert.equal(cell.isUnderline() !== 0, (buf.attrs[at]! & 8) !== 0, `${where}: underline`);
      assert.equal(cell.isInverse() !== 0, (buf.attrs[at]! & 16) !== 0, `${where}: reverse`);
      assert.equal(cell.getWidth(), buf.widths[at], `${where}: width`);
    }
  }
}

Deno.test("Renderer output replayed in @xterm/headless shows exactly the last buffer", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom<ColorLevel>("truecolor", "256", "16", "none"),
      fc.integer({ min: 1, max: 14 }),
      fc.integer({ min: 1, max: 6 }),
      fc.array(fc.array(op, { maxLength: 6 }), { minLength: 1, maxLength: 6 }),
      // Frames after which the app asks for a full redraw (invalidate()).
      fc.array(fc.nat(5), { maxLength: 2 }),
      async (level, width, height, frames, redraws) => {
        const buf = new ScreenBuffer(width, height);
        const renderer = new Renderer({ colorLevel: level });
        const term = new Terminal({ cols: width, rows: height, allowProposedApi: true });
        try {
          for (const [n, ops] of frames.entries()) {
            for (const o of ops) apply(buf, o);
            if (redraws.includes(n)) renderer.invalidate();
            if (buf.width !== term.cols || buf.height !== term.rows) {
              term.resize(buf.width, buf.height);
            }
            await write(term, renderer.render(buf));
            assertShows(term, buf, level, n);
            // Drawing the same buffer again must write nothing.
            assert.equal(renderer.render(buf), "", `frame ${n}: a repeat frame writes bytes`);
          }
        } finally {
          term.dispose();
        }
      },
    ),
    { numRuns: 100 },
  );
});

Deno.test("packColor() round-trips through the property test's expectations", () => {
  assert.deepEqual(expectedColor(packColor("#ff8000"), "truecolor"), ["rgb", 0xff8000]);
  assert.deepEqual(expectedColor(packColor(9), "none"), ["default", 0]);
});
