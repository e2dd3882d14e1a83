import assert from "node:assert/strict";
import { ScreenBuffer } from "../../../src/tui/buffer.ts";
import { symbolsFor } from "../../../src/tui/symbols.ts";
import {
  renderScrollText,
  scrollTextLayout,
  wrapLines,
} from "../../../src/tui/widgets/scroll_text.ts";

const ascii = symbolsFor(false);

Deno.test("wrapLines() wraps at word boundaries and keeps a line's indentation", () => {
  assert.deepEqual(
    wrapLines([{ text: "  All tasks share one thread: while one runs" }], 20).map((l) => l.text),
    ["  All tasks share", "  one thread: while", "  one runs"],
  );
});

Deno.test("wrapLines() leaves a line that fits as it is, spacing and all", () => {
  assert.deepEqual(wrapLines([{ text: "    2.9s ago  done" }], 20).map((l) => l.text), [
    "    2.9s ago  done",
  ]);
});

Deno.test("renderScrollText() draws what fits, then says what is above and below", async (t) => {
  const lines = Array.from({ length: 6 }, (_, i) => ({ text: `line ${i}` }));
  const draw = (offset: number) => {
    const buf = new ScreenBuffer(30, 4);
    const used = renderScrollText(buf, buf.area, { lines, offset, symbols: ascii });
    return { used, rows: buf.toLines().map((l) => l.trimEnd()) };
  };
  await t.step("top", () => {
    assert.deepEqual(draw(0).rows, ["line 0", "line 1", "line 2", "v 3 more below"]);
  });
  await t.step("middle", () => {
    assert.deepEqual(draw(2).rows, [
      "line 2",
      "line 3",
      "line 4",
      "^ 2 more above  v 1 more below",
    ]);
  });
  await t.step("past the end is clamped", () => {
    const { used, rows } = draw(99);
    assert.equal(used, 3);
    assert.deepEqual(rows, ["line 3", "line 4", "line 5", "^ 3 more above"]);
  });
  await t.step("everything fits: no note", () => {
    const buf = new ScreenBuffer(30, 4);
    renderScrollText(buf, buf.area, { lines: lines.slice(0, 4), symbols: ascii });
    assert.deepEqual(buf.toLines().map((l) => l.trimEnd()), [
      "line 0",
      "line 1",
      "line 2",
      "line 3",
    ]);
    assert.equal(scrollTextLayout(lines.slice(0, 4), buf.area).maxOffset, 0);
  });
});
