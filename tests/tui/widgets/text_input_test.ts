import assert from "node:assert/strict";
import fc from "fast-check";
import { ScreenBuffer } from "../../../src/tui/buffer.ts";
import {
  editForKey,
  editInput,
  type InputEdit,
  renderTextInput,
  textInput,
  type TextInputState,
} from "../../../src/tui/widgets/text_input.ts";
import { assertGrid } from "../support/grid.ts";

function run(start: TextInputState, ...edits: InputEdit[]): TextInputState {
  return edits.reduce(editInput, start);
}

/** Shows a state as the text with "|" at the cursor. */
function show(s: TextInputState): string {
  return s.value.slice(0, s.cursor) + "|" + s.value.slice(s.cursor);
}

Deno.test("editInput() inserts at the cursor and moves left, right, home and end", () => {
  let s = run(textInput(), { type: "insert", text: "helo" }, { type: "left" });
  assert.equal(show(s), "hel|o");
  s = run(s, { type: "insert", text: "l" });
  assert.equal(show(s), "hell|o");
  assert.equal(show(run(s, { type: "home" })), "|hello");
  assert.equal(show(run(s, { type: "end" }, { type: "right" })), "hello|");
  assert.equal(show(run(s, { type: "home" }, { type: "left" })), "|hello");
});

Deno.test("editInput() backspace and delete remove one grapheme, wide or combined", () => {
  assert.equal(show(run(textInput("中文"), { type: "backspace" })), "中|");
  assert.equal(show(run(textInput("ae\u0301"), { type: "backspace" })), "a|");
  assert.equal(
    show(run(textInput("a😀b"), { type: "home" }, { type: "right" }, { type: "delete" })),
    "a|b",
  );
  assert.equal(show(run(textInput("ab"), { type: "delete" })), "ab|");
  assert.equal(show(run(textInput("ab"), { type: "home" }, { type: "backspace" })), "|ab");
  assert.equal(show(run(textInput("中文"), { type: "left" })), "中|文");
});

Deno.test("editInput() ctrl-w deletes the word before the cursor, ctrl-u the line before it", () => {
  assert.equal(show(run(textInput("publish logs  "), { type: "deleteWordBack" })), "publish |");
  assert.equal(show(run(textInput("publish logs"), { type: "deleteWordBack" })), "publish |");
  const mid = run(textInput("one two three"), { type: "left" }, { type: "left" });
  assert.equal(show(run(mid, { type: "deleteToStart" })), "|ee");
  assert.equal(show(run(mid, { type: "deleteToEnd" })), "one two thr|");
  assert.equal(show(run(textInput(""), { type: "deleteWordBack" })), "|");
});

Deno.test("editInput() turns pasted newlines and tabs into blanks and drops other controls", () => {
  assert.equal(run(textInput(), { type: "insert", text: "a\nb\tc\x1bd\r\ne" }).value, "a b cd e");
});

Deno.test("editForKey() maps readline keys and printable characters", () => {
  const k = (key: string, mods: { ctrl?: boolean; alt?: boolean } = {}) =>
    editForKey({ key, ctrl: mods.ctrl ?? false, alt: mods.alt ?? false });
  assert.deepEqual(k("w", { ctrl: true }), { type: "deleteWordBack" });
  assert.deepEqual(k("u", { ctrl: true }), { type: "deleteToStart" });
  assert.deepEqual(k("backspace"), { type: "backspace" });
  assert.deepEqual(k("home"), { type: "home" });
  assert.deepEqual(k("中"), { type: "insert", text: "中" });
  assert.deepEqual(k("x"), { type: "insert", text: "x" });
  assert.equal(k("enter"), null);
  assert.equal(k("escape"), null);
  assert.equal(k("up"), null);
  assert.equal(k("c", { ctrl: true }), null);
});

Deno.test("renderTextInput() draws prompt, value and a reverse-video cursor", () => {
  const buf = new ScreenBuffer(10, 1);
  const out = renderTextInput(buf, buf.area, { prompt: "/" }, textInput("hello"));
  assertGrid(buf.toLines(), ["/hello    "]);
  assert.equal(out.cursorX, 6);
  assert.deepEqual(buf.cell(6, 0).style, { reverse: true });
  assert.deepEqual(buf.cell(5, 0).style, {});
});

Deno.test("renderTextInput() scrolls so the cursor stays visible", () => {
  const buf = new ScreenBuffer(5, 1);
  const out = renderTextInput(buf, buf.area, { prompt: ":" }, textInput("abcdefgh"));
  assertGrid(buf.toLines(), [":fgh "]);
  assert.equal(out.cursorX, 4);
  buf.clear();
  renderTextInput(buf, buf.area, { prompt: ":" }, { value: "中文字", cursor: 1 });
  assertGrid(buf.toLines(), [":中文"]);
  assert.equal(buf.cell(3, 0).style.reverse, true);
  assert.equal(buf.cell(4, 0).style.reverse, true);
});

Deno.test("renderTextInput() shows the placeholder dim when empty", () => {
  const buf = new ScreenBuffer(8, 1);
  renderTextInput(buf, buf.area, { placeholder: "queue", focused: false }, textInput());
  assertGrid(buf.toLines(), ["queue   "]);
  assert.deepEqual(buf.cell(0, 0).style, { dim: true });
});

Deno.test("editInput() keeps the cursor on a grapheme boundary inside the value for any edits", () => {
  const edit: fc.Arbitrary<InputEdit> = fc.oneof(
    fc.record({
      type: fc.constant("insert" as const),
      text: fc.array(fc.constantFrom("a", " ", "中", "e\u0301", "😀", "\n", "\x1b"), {
        maxLength: 4,
      })
        .map((a) => a.join("")),
    }),
    fc.constantFrom<InputEdit>(
      { type: "backspace" },
      { type: "delete" },
      { type: "left" },
      { type: "right" },
      { type: "home" },
      { type: "end" },
      { type: "deleteWordBack" },
      { type: "deleteToStart" },
      { type: "deleteToEnd" },
    ),
  );
  const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
  fc.assert(
    fc.property(fc.array(edit, { maxLength: 30 }), (edits) => {
      const s = run(textInput(), ...edits);
      assert.ok(s.cursor >= 0 && s.cursor <= s.value.length);
      const starts = [...segmenter.segment(s.value)].map((g) => g.index).concat(s.value.length);
      assert.ok(starts.includes(s.cursor), `cursor ${s.cursor} inside a grapheme of ${s.value}`);
      // deno-lint-ignore no-control-regex
      assert.doesNotMatch(s.value, /[\x00-\x1f]/);
    }),
    { numRuns: 300 },
  );
});

Deno.test("editInput() moves by the same graphemes as segmenting the whole value", () => {
  // Only the text near the cursor is segmented; these pieces are the hard
  // cases for that: flags (regional-indicator pairs), a prepended number
  // sign, combining marks, emoji joined with ZWJ, wide characters.
  const piece = fc.constantFrom("a", " ", "中", "e\u0301", "🇫🇷", "🇩🇪", "\u0600", "1", "👩‍💻", "#");
  const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 60 }), (pieces) => {
      const value = pieces.join("");
      const starts = [...segmenter.segment(value)].map((g) => g.index).concat(value.length);
      let right = { value, cursor: 0 };
      for (const expected of starts.slice(1)) {
        right = editInput(right, { type: "right" });
        assert.equal(right.cursor, expected, `right in ${JSON.stringify(value)}`);
      }
      let left = textInput(value);
      for (const expected of starts.slice(0, -1).reverse()) {
        left = editInput(left, { type: "left" });
        assert.equal(left.cursor, expected, `left in ${JSON.stringify(value)}`);
      }
    }),
    { numRuns: 300 },
  );
});

Deno.test("renderTextInput() shows the end of a 10 000-character line with the cursor", () => {
  const state = textInput("word ".repeat(2000) + "end");
  const buf = new ScreenBuffer(20, 1);
  const { cursorX } = renderTextInput(
    buf,
    { x: 0, y: 0, width: 20, height: 1 },
    { prompt: ":" },
    state,
  );
  assert.equal(buf.toLines()[0], ":word word word end ");
  assert.equal(cursorX, 19);
});
