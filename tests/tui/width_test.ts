import assert from "node:assert/strict";
import {
  charWidth,
  padToWidth,
  stringWidth,
  truncateToWidth,
  wrapGroups,
  wrapText,
} from "../../src/tui/width.ts";

const cp = (s: string) => s.codePointAt(0)!;

Deno.test("charWidth() gives 2 to wide CJK and fullwidth, 0 to combining and control, 1 otherwise", () => {
  assert.equal(charWidth(cp("a")), 1);
  assert.equal(charWidth(cp("中")), 2);
  assert.equal(charWidth(cp("ｱ")), 1); // halfwidth katakana
  assert.equal(charWidth(cp("Ａ")), 2); // fullwidth A
  assert.equal(charWidth(cp("가")), 2);
  assert.equal(charWidth(0x301), 0); // combining acute
  assert.equal(charWidth(0x200b), 0); // zero width space
  assert.equal(charWidth(0x1b), 0);
  assert.equal(charWidth(cp("─")), 1); // ambiguous counts as narrow
  assert.equal(charWidth(cp("𠀀")), 2); // astral CJK
});

Deno.test("stringWidth() sums cell widths", () => {
  assert.equal(stringWidth("abc"), 3);
  assert.equal(stringWidth("中文ab"), 6);
  assert.equal(stringWidth("e\u0301"), 1);
  assert.equal(stringWidth(""), 0);
});

Deno.test("truncateToWidth() cuts by cells, never splits a wide character and adds the ellipsis", () => {
  assert.equal(truncateToWidth("hello", 10), "hello");
  assert.equal(truncateToWidth("hello", 3), "hel");
  assert.equal(truncateToWidth("hello", 3, "…"), "he…");
  assert.equal(truncateToWidth("中文字", 5), "中文");
  assert.equal(truncateToWidth("中文字", 4, "…"), "中…");
  assert.equal(truncateToWidth("hello", 2, "..."), "he");
  assert.equal(truncateToWidth("hello", 0), "");
});

Deno.test("padToWidth() pads by cells with alignment", () => {
  assert.equal(padToWidth("中", 4), "中  ");
  assert.equal(padToWidth("ab", 4, { align: "right" }), "  ab");
  assert.equal(padToWidth("ab", 5, { align: "center" }), " ab  ");
  assert.equal(padToWidth("abcdef", 4, { ellipsis: "~" }), "abc~");
});

Deno.test("wrapText() wraps at words, keeps newlines and cuts words longer than a line", () => {
  assert.deepEqual(wrapText("the quick brown fox", 9), ["the quick", "brown fox"]);
  assert.deepEqual(wrapText("a\n\nb", 5), ["a", "", "b"]);
  assert.deepEqual(wrapText("abcdefghij xy", 4), ["abcd", "efgh", "ij", "xy"]);
  assert.deepEqual(wrapText("中文字中文", 4), ["中文", "字中", "文"]);
  assert.deepEqual(wrapText("anything", 0), []);
});

Deno.test("wrapGroups() wraps between groups two spaces apart: a figure keeps its unit", () => {
  const line =
    "load on :8001: 1000/1000 connected  33,188 rt/s  270.9 kB/s  p50 2.56 ms  p90 5.38 ms";
  const rows = wrapGroups(line, 50);
  assert.deepEqual(rows, [
    "load on :8001: 1000/1000 connected 33,188 rt/s",
    "270.9 kB/s p50 2.56 ms p90 5.38 ms",
  ]);
  // a group wider than the line wraps at its words
  assert.deepEqual(wrapGroups("a  errors: refused 3, timeout 2", 12), [
    "a",
    "errors:",
    "refused 3,",
    "timeout 2",
  ]);
  assert.deepEqual(wrapGroups("", 10), [""]);
  assert.deepEqual(wrapGroups("abc", 0), []);
});
