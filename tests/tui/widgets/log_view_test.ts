import assert from "node:assert/strict";
import { ScreenBuffer } from "../../../src/tui/buffer.ts";
import {
  LogRing,
  logScroll,
  logToggleFollow,
  logViewState,
  renderLogView,
} from "../../../src/tui/widgets/log_view.ts";
import { assertGrid, renderToGrid } from "../support/grid.ts";

function ringOf(n: number, capacity: number): LogRing {
  const ring = new LogRing(capacity);
  for (let i = 1; i <= n; i++) ring.push(`l${i}`);
  return ring;
}

Deno.test("LogRing keeps the newest lines and numbers them from the first push", () => {
  const ring = ringOf(7, 5);
  assert.equal(ring.first, 2);
  assert.equal(ring.end, 7);
  assert.equal(ring.size, 5);
  assert.equal(ring.at(1), undefined);
  assert.equal(ring.at(2), "l3");
  assert.deepEqual(ring.toArray(), ["l3", "l4", "l5", "l6", "l7"]);
  assert.throws(() => new LogRing(0), RangeError);
});

Deno.test("renderLogView() follows the newest lines", () => {
  const ring = ringOf(7, 5);
  const grid = renderToGrid((buf) => renderLogView(buf, buf.area, { ring }), 12, 3);
  assertGrid(grid, ["l5          ", "l6          ", "l7          "]);
});

Deno.test("renderLogView() stays on the same lines while paused and counts the new ones", () => {
  const ring = ringOf(7, 10);
  let state = logScroll(logViewState(), ring, -1, 3);
  assert.deepEqual(state, { follow: false, top: 3 });
  ring.push("l8");
  ring.push("l9");
  const buf = new ScreenBuffer(12, 3);
  const out = renderLogView(buf, buf.area, { ring }, state);
  assertGrid(buf.toLines(), ["l4          ", "l5          ", "l paused +3 "]);
  assert.deepEqual(out, { top: 3, below: 3 });
  // Scrolling back down to the bottom resumes following.
  state = logScroll(state, ring, 10, 3);
  assert.equal(state.follow, true);
  buf.clear();
  renderLogView(buf, buf.area, { ring }, state);
  assertGrid(buf.toLines(), ["l7          ", "l8          ", "l9          "]);
});

Deno.test("logToggleFollow() pauses on the lines on screen and resumes", () => {
  const ring = ringOf(10, 100);
  const paused = logToggleFollow(logViewState(), ring, 4);
  assert.deepEqual(paused, { follow: false, top: 6 });
  assert.equal(logToggleFollow(paused, ring, 4).follow, true);
  // A paused view whose lines fell out of the ring shows the oldest kept.
  const small = ringOf(3, 3);
  const grid = renderToGrid(
    (buf) => {
      for (let i = 4; i <= 8; i++) small.push(`l${i}`);
      renderLogView(buf, buf.area, { ring: small, showPaused: false }, { follow: false, top: 0 });
    },
    4,
    2,
  );
  assertGrid(grid, ["l6  ", "l7  "]);
});

Deno.test("renderLogView() with wrap shows long lines whole: the newest rows when following", () => {
  const ring = new LogRing(10);
  ring.push("old line");
  ring.push("! warning: busy: one step blocked the hub for 2000 ms");
  const buf = new ScreenBuffer(20, 3);
  renderLogView(buf, buf.area, { ring, wrap: true });
  assert.deepEqual(buf.toLines().map((l) => l.trimEnd()), [
    "! warning: busy: one",
    "step blocked the hub",
    "for 2000 ms",
  ]);
});
