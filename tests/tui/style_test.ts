import assert from "node:assert/strict";
import {
  detectColorLevel,
  detectUnicode,
  downgradeColor,
  mergeStyle,
  packColor,
  unpackColor,
} from "../../src/tui/style.ts";
import { symbolsFor } from "../../src/tui/symbols.ts";

Deno.test("detectColorLevel() reads COLORTERM, TERM and NO_COLOR", async (t) => {
  const cases: [Record<string, string | undefined>, string][] = [
    [{ TERM: "xterm-256color", COLORTERM: "truecolor" }, "truecolor"],
    [{ TERM: "xterm-256color", COLORTERM: "24bit" }, "truecolor"],
    [{ TERM: "tmux-256color" }, "256"],
    [{ TERM: "xterm" }, "16"],
    [{ TERM: "linux" }, "16"],
    [{ TERM: "dumb" }, "none"],
    [{}, "none"],
    [{ TERM: "xterm-256color", COLORTERM: "truecolor", NO_COLOR: "1" }, "none"],
    [{ TERM: "xterm-256color", NO_COLOR: "" }, "256"],
  ];
  for (const [env, expected] of cases) {
    await t.step(`${JSON.stringify(env)} is ${expected}`, () => {
      assert.equal(detectColorLevel(env), expected, JSON.stringify(env));
    });
  }
});

Deno.test("detectColorLevel() lets --color override the environment", () => {
  const env = { TERM: "xterm-256color", NO_COLOR: "1" };
  assert.equal(detectColorLevel(env, "never"), "none");
  assert.equal(detectColorLevel(env, "always"), "256");
  assert.equal(detectColorLevel({ TERM: "dumb" }, "always"), "16");
  assert.equal(detectColorLevel(env, "truecolor"), "truecolor");
  assert.equal(detectColorLevel({ TERM: "xterm-256color", COLORTERM: "truecolor" }, "16"), "16");
  assert.equal(detectColorLevel({ TERM: "xterm" }, "auto"), "16");
});

Deno.test("detectUnicode() follows LC_ALL, LC_CTYPE, LANG in that order", () => {
  assert.equal(detectUnicode({ LANG: "en_US.UTF-8" }), true);
  assert.equal(detectUnicode({ LANG: "C.utf8" }), true);
  assert.equal(detectUnicode({ LANG: "C" }), false);
  assert.equal(detectUnicode({}), false);
  assert.equal(detectUnicode({ LC_ALL: "C", LANG: "en_US.UTF-8" }), false);
  assert.equal(detectUnicode({ LC_ALL: "", LC_CTYPE: "de_DE.UTF-8", LANG: "C" }), true);
});

Deno.test("packColor() and unpackColor() round-trip and reject bad colors", async (t) => {
  for (const c of ["default", 0, 15, 255, "#00ff7f"] as const) {
    await t.step(String(c), () => {
      assert.equal(unpackColor(packColor(c)), c);
    });
  }
  assert.throws(() => packColor(256), RangeError);
  assert.throws(() => packColor("#12345" as `#${string}`), RangeError);
});

Deno.test("downgradeColor() maps truecolor to the nearest 256 and 16 colors", () => {
  assert.equal(downgradeColor("#ff0000", "256"), 196);
  assert.equal(downgradeColor("#808080", "256"), 244);
  assert.equal(downgradeColor("#ff0000", "16"), 9);
  assert.equal(downgradeColor(21, "16"), 4);
  assert.equal(downgradeColor(3, "16"), 3);
  assert.equal(downgradeColor("#ff0000", "none"), "default");
  assert.equal(downgradeColor("#ff0000", "truecolor"), "#ff0000");
});

Deno.test("mergeStyle() lets set fields win and keeps the rest", () => {
  assert.deepEqual(mergeStyle({ fg: 1, bold: true }, { fg: 2, underline: true, bg: undefined }), {
    fg: 2,
    bold: true,
    underline: true,
  });
});

Deno.test("symbolsFor(false) has only ASCII glyphs", () => {
  const ascii = JSON.stringify(symbolsFor(false));
  assert.match(ascii, /^[\x20-\x7e]*$/);
  assert.doesNotMatch(JSON.stringify(symbolsFor(true)), /^[\x20-\x7e]*$/);
});
