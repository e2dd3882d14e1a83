import assert from "node:assert/strict";
import { centered, inset, splitCols, splitLength, splitRows } from "../../src/tui/layout.ts";

const area = { x: 0, y: 0, width: 80, height: 24 };

Deno.test("splitRows() gives fixed rows their size and the rest to fill", () => {
  assert.deepEqual(splitRows(area, [{ fixed: 1 }, { fill: 1 }, { fixed: 1 }]), [
    { x: 0, y: 0, width: 80, height: 1 },
    { x: 0, y: 1, width: 80, height: 22 },
    { x: 0, y: 23, width: 80, height: 1 },
  ]);
});

Deno.test("splitCols() honours percent and shares fill space by weight", () => {
  const rect = { x: 10, y: 2, width: 100, height: 5 };
  assert.deepEqual(
    splitCols(rect, [{ percent: 30 }, { fill: 1 }, { fill: 3 }]).map((r) => [r.x, r.width]),
    [
      [10, 30],
      [40, 18],
      [58, 52],
    ],
  );
});

Deno.test("splitLength() grows min constraints when there is no fill, and leaves the rest unused otherwise", () => {
  assert.deepEqual(splitLength(20, [{ min: 4 }, { fixed: 3 }, { min: 2 }]), [10, 3, 7]);
  assert.deepEqual(splitLength(20, [{ fixed: 4 }, { percent: 10 }]), [4, 2]);
  assert.deepEqual(splitLength(20, [{ min: 4 }, { fill: 1 }]), [4, 16]);
});

Deno.test("splitLength() shrinks later constraints when there is not enough room", () => {
  assert.deepEqual(splitLength(10, [{ fixed: 6 }, { min: 6 }, { fixed: 3 }]), [6, 4, 0]);
  assert.deepEqual(splitLength(0, [{ fill: 1 }, { fixed: 2 }]), [0, 0]);
});

Deno.test("splitLength() hands the rounding remainder to the first fills", () => {
  assert.deepEqual(splitLength(10, [{ fill: 1 }, { fill: 1 }, { fill: 1 }]), [4, 3, 3]);
  const sizes = splitLength(97, [{ fill: 2 }, { fill: 5 }, { fill: 1 }]);
  assert.equal(sizes.reduce((a, b) => a + b, 0), 97);
});

Deno.test("inset() shrinks on every side and never goes negative", () => {
  assert.deepEqual(inset(area), { x: 1, y: 1, width: 78, height: 22 });
  assert.deepEqual(inset(area, 2), { x: 2, y: 2, width: 76, height: 20 });
  assert.deepEqual(inset({ x: 0, y: 0, width: 1, height: 1 }), { x: 0, y: 0, width: 0, height: 0 });
});

Deno.test("centered() centers and clamps to the outer rect", () => {
  assert.deepEqual(centered(area, 40, 10), { x: 20, y: 7, width: 40, height: 10 });
  assert.deepEqual(centered({ x: 5, y: 5, width: 10, height: 4 }, 40, 10), {
    x: 5,
    y: 5,
    width: 10,
    height: 4,
  });
});
