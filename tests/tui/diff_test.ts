import assert from "node:assert/strict";
import { ScreenBuffer } from "../../src/tui/buffer.ts";
import { SYNC_BEGIN, SYNC_END } from "../../src/tui/ansi.ts";
import { Renderer } from "../../src/tui/diff.ts";

/** The frame body without the synchronized-output wrapper (asserting it is there). */
function body(frame: string): string {
  assert.ok(frame.startsWith(SYNC_BEGIN) && frame.endsWith(SYNC_END), JSON.stringify(frame));
  return frame.slice(SYNC_BEGIN.length, -SYNC_END.length);
}

function primed(width = 10, height = 3, colorLevel: "truecolor" | "none" = "truecolor") {
  const buf = new ScreenBuffer(width, height);
  const renderer = new Renderer({ colorLevel });
  renderer.render(buf);
  return { buf, renderer };
}

Deno.test("render() starts with a full redraw: reset, clear, then the non-blank cells", () => {
  const buf = new ScreenBuffer(5, 2);
  buf.setString(1, 1, "hi");
  assert.equal(body(new Renderer().render(buf)), "\x1b[0m\x1b[2J\x1b[2;2Hhi");
});

Deno.test("render() writes nothing when nothing changed", () => {
  const { buf, renderer } = primed();
  assert.equal(renderer.render(buf), "");
  buf.setString(0, 0, " "); // same content as before
  assert.equal(renderer.render(buf), "");
});

Deno.test("render() writes one changed cell with one cursor move and no SGR", () => {
  const { buf, renderer } = primed();
  buf.setString(3, 2, "x");
  assert.equal(body(renderer.render(buf)), "\x1b[3;4Hx");
});

Deno.test("render() needs no cursor move between consecutive cells and a short forward move for a gap", () => {
  const { buf, renderer } = primed();
  buf.setString(0, 1, "ab");
  buf.setString(5, 1, "c");
  assert.equal(body(renderer.render(buf)), "\x1b[2Habc".replace("abc", "ab\x1b[3Cc"));
});

Deno.test("render() skips the cursor move when the cursor is already there from the last frame", () => {
  const { buf, renderer } = primed();
  buf.setString(0, 0, "a");
  renderer.render(buf);
  buf.setString(1, 0, "b");
  assert.equal(body(renderer.render(buf)), "b");
});

Deno.test("render() emits SGR only when the style changes, resetting only when an attribute turns off", () => {
  const { buf, renderer } = primed();
  buf.setString(0, 0, "ab", { bold: true, fg: 1 });
  buf.setString(2, 0, "c", { bold: true, fg: 1, underline: true });
  buf.setString(3, 0, "d", { fg: "#102030" });
  assert.equal(
    body(renderer.render(buf)),
    "\x1b[H\x1b[1;31mab\x1b[4mc\x1b[0;38;2;16;32;48md",
  );
});

Deno.test("render() at color level none writes no color SGR but keeps bold and reverse", () => {
  const { buf, renderer } = primed(10, 3, "none");
  buf.setString(0, 0, "a", { fg: 196, bg: "#00ff00", bold: true });
  buf.setString(1, 0, "b", { fg: 21, reverse: true });
  const out = body(renderer.render(buf));
  assert.equal(out, "\x1b[H\x1b[1ma\x1b[0;7mb");
  // deno-lint-ignore no-control-regex
  assert.doesNotMatch(out, /\x1b\[[0-9;]*(3[0-9]|4[0-9]|9[0-7]|10[0-7])(;[0-9;]*)?m/);
});

Deno.test("render() downgrades truecolor to 256 and to 16 colors", async (t) => {
  for (const [level, expected] of [["256", "\x1b[38;5;196mx"], ["16", "\x1b[91mx"]] as const) {
    await t.step(level, () => {
      const buf = new ScreenBuffer(1, 1);
      const renderer = new Renderer({ colorLevel: level });
      renderer.render(buf);
      buf.setString(0, 0, "x", { fg: "#ff0000" });
      assert.equal(body(renderer.render(buf)), "\x1b[H" + expected, level);
    });
  }
});

Deno.test("render() writes a wide character once and skips its continuation cell", () => {
  const { buf, renderer } = primed();
  buf.setString(0, 0, "中a");
  assert.equal(body(renderer.render(buf)), "\x1b[H中a");
  // Replacing the wide character by two narrow ones rewrites both cells.
  buf.setString(0, 0, "xy");
  assert.equal(body(renderer.render(buf)), "\x1b[Hxy");
});

Deno.test("render() does a full redraw after a resize and after invalidate()", () => {
  const { buf, renderer } = primed();
  buf.resize(4, 2);
  buf.setString(0, 1, "z");
  assert.equal(body(renderer.render(buf)), "\x1b[0m\x1b[2J\x1b[2Hz");
  renderer.invalidate();
  assert.equal(body(renderer.render(buf)), "\x1b[0m\x1b[2J\x1b[2Hz");
  assert.equal(renderer.render(buf), "");
});

Deno.test("render() moves the cursor explicitly after writing the last column", () => {
  const { buf, renderer } = primed(3, 2);
  buf.setString(2, 0, "a");
  buf.setString(0, 1, "b");
  assert.equal(body(renderer.render(buf)), "\x1b[1;3Ha\x1b[2Hb");
});

Deno.test("render() can leave out the synchronized-output wrapper", () => {
  const buf = new ScreenBuffer(2, 1);
  const renderer = new Renderer({ synchronized: false });
  renderer.render(buf);
  buf.setString(0, 0, "q");
  assert.equal(renderer.render(buf), "\x1b[Hq");
});

Deno.test("render() at color level none writes nothing for a color-only change", () => {
  const { buf, renderer } = primed(4, 1, "none");
  buf.setString(0, 0, "ab", { fg: 2 });
  assert.equal(body(renderer.render(buf)), "\x1b[Hab");
  buf.setString(0, 0, "ab", { fg: 5, bg: "#101010" });
  assert.equal(renderer.render(buf), "");
  buf.setString(0, 0, "a", { bold: true });
  assert.equal(body(renderer.render(buf)), "\x1b[H\x1b[1ma");
});
