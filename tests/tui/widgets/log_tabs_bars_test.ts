import assert from "node:assert/strict";
import { ScreenBuffer } from "../../../src/tui/buffer.ts";
import { symbolsFor } from "../../../src/tui/symbols.ts";
import {
  LogRing,
  logScroll,
  logToggleFollow,
  logViewState,
  renderLogView,
} from "../../../src/tui/widgets/log_view.ts";
import { renderTabs } from "../../../src/tui/widgets/tabs.ts";
import { renderSparkline } from "../../../src/tui/widgets/sparkline.ts";
import { renderGauge } from "../../../src/tui/widgets/gauge.ts";
import { renderStatusBar } from "../../../src/tui/widgets/status_bar.ts";
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

Deno.test("renderTabs() numbers the tabs and highlights the active one", () => {
  const buf = new ScreenBuffer(50, 1);
  const hits = renderTabs(buf, buf.area, {
    titles: ["Overview", "Coroutines", "Sockets", "RabbitMQ"],
    active: 1,
  });
  assertGrid(buf.toLines(), ["1 Overview  2 Coroutines  3 Sockets  4 RabbitMQ   "]);
  assert.deepEqual(hits.map((h) => [h.x, h.width]), [[0, 10], [12, 12], [26, 9], [37, 10]]);
  assert.deepEqual(buf.cell(12, 0).style, { reverse: true, bold: true });
  assert.deepEqual(buf.cell(23, 0).style, { reverse: true, bold: true });
  assert.deepEqual(buf.cell(24, 0).style, {});
  assert.deepEqual(buf.cell(0, 0).style, {});
});

Deno.test("renderSparkline() scales to the largest value, newest at the right", () => {
  const data = [0, 1, 2, 4, 8];
  assertGrid(renderToGrid((buf) => renderSparkline(buf, buf.area, { data }), 6, 1), ["  ▁▂▄█"]);
  assertGrid(renderToGrid((buf) => renderSparkline(buf, buf.area, { data }), 6, 2), [
    "     █",
    "  ▂▄██",
  ]);
  assertGrid(
    renderToGrid(
      (buf) => renderSparkline(buf, buf.area, { data, max: 16, symbols: symbolsFor(false) }),
      4,
      1,
    ),
    ["___."],
  );
});

Deno.test("renderSparkline() shows a tiny value as the lowest bar, not as nothing", () => {
  assertGrid(renderToGrid((buf) => renderSparkline(buf, buf.area, { data: [1000, 1] }), 2, 1), [
    "█▁",
  ]);
});

Deno.test("renderGauge() fills by ratio with the percentage cut out of the bar", () => {
  const buf = new ScreenBuffer(10, 1);
  renderGauge(buf, buf.area, { ratio: 0.5 });
  assertGrid(buf.toLines(), ["███50%░░░░"]);
  assert.equal(buf.cell(3, 0).style.reverse, true);
  assert.equal(buf.cell(4, 0).style.reverse, true);
  assert.equal(buf.cell(5, 0).style.reverse, undefined);
  assertGrid(
    renderToGrid(
      (buf) => renderGauge(buf, buf.area, { ratio: 2, label: "full", symbols: symbolsFor(false) }),
      8,
      1,
    ),
    ["##full##"],
  );
});

Deno.test("renderStatusBar() puts the right segments at the right edge", () => {
  const buf = new ScreenBuffer(40, 1);
  renderStatusBar(buf, buf.area, { left: ["warren", "amqp://127.0.0.1:5672"], right: ["15 fps"] });
  assertGrid(buf.toLines(), ["warren │ amqp://127.0.0.1:5672    15 fps"]);
  assert.deepEqual(buf.cell(35, 0).style, { reverse: true });
});

Deno.test("renderStatusBar() cuts the left side first when the bar is narrow", () => {
  const grid = renderToGrid(
    (buf) => {
      renderStatusBar(buf, buf.area, {
        left: ["warren", "amqp://127.0.0.1:5672"],
        right: ["15 fps"],
      });
    },
    20,
    1,
  );
  assertGrid(grid, ["warren │ amq… 15 fps"]);
});
