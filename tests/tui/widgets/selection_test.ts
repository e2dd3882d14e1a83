import assert from "node:assert/strict";
import {
  clampSelection,
  moveSelection,
  scrollOffset,
  selectLast,
} from "../../../src/tui/widgets/selection.ts";

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
