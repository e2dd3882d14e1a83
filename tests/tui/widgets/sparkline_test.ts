import { symbolsFor } from "../../../src/tui/symbols.ts";
import { renderSparkline } from "../../../src/tui/widgets/sparkline.ts";
import { assertGrid, renderToGrid } from "../support/grid.ts";

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
