import assert from "node:assert/strict";
import { ScreenBuffer } from "../../../src/tui/buffer.ts";
import { symbolsFor } from "../../../src/tui/symbols.ts";
import { renderGauge } from "../../../src/tui/widgets/gauge.ts";
import { assertGrid, renderToGrid } from "../support/grid.ts";

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
