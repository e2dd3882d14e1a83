/**
 * With the ASCII symbol set (LANG=C or --ascii) no widget may draw a byte
 * outside printable ASCII: no box drawing, arrows, blocks or ellipses.
 */
import assert from "node:assert/strict";
import { ScreenBuffer } from "../../../src/tui/buffer.ts";
import { splitRows } from "../../../src/tui/layout.ts";
import { symbolsFor } from "../../../src/tui/symbols.ts";
import { renderBlock } from "../../../src/tui/widgets/block.ts";
import { renderTable } from "../../../src/tui/widgets/table.ts";
import { renderList } from "../../../src/tui/widgets/list.ts";
import { LogRing, renderLogView } from "../../../src/tui/widgets/log_view.ts";
import { renderTabs } from "../../../src/tui/widgets/tabs.ts";
import { renderSparkline } from "../../../src/tui/widgets/sparkline.ts";
import { renderGauge } from "../../../src/tui/widgets/gauge.ts";
import { renderStatusBar } from "../../../src/tui/widgets/status_bar.ts";
import { renderHelp } from "../../../src/tui/widgets/help.ts";
import { renderConfirm } from "../../../src/tui/widgets/confirm.ts";
import { commandLineState, renderCommandLine } from "../../../src/tui/widgets/command_line.ts";

Deno.test("every widget draws only printable ASCII with the ASCII symbol set", async (t) => {
  const symbols = symbolsFor(false);
  const buf = new ScreenBuffer(60, 30);
  const rows = splitRows(buf.area, [
    { fixed: 1 },
    { fixed: 6 },
    { fixed: 4 },
    { fixed: 4 },
    { fixed: 2 },
    { fixed: 1 },
    { fill: 1 },
    { fixed: 2 },
    { fixed: 1 },
  ]);
  renderTabs(buf, rows[0]!, { titles: ["Overview", "Coroutines"], active: 0 });
  const inner = renderBlock(buf, rows[1]!, {
    title: "a very long title for a box",
    titleRight: "12",
    symbols,
    focused: true,
  });
  renderTable(buf, inner, {
    columns: [{ title: "NAME", width: { fill: 1 } }, { title: "LONG HEADER", width: { fixed: 6 } }],
    rows: [["a name much longer than its column can show, surely", "1"], ["b", "2"]],
    sort: { column: 1, descending: true },
    symbols,
  }, { selected: 1, offset: 0 });
  renderList(buf, rows[2]!, {
    items: ["x", "an item longer than the list is wide".repeat(3)],
    symbols,
  }, {
    selected: 1,
    offset: 0,
  });
  const ring = new LogRing(10);
  for (let i = 0; i < 20; i++) ring.push(`line ${i} `.repeat(10));
  renderLogView(buf, rows[3]!, { ring, symbols }, { follow: false, top: 12 });
  renderSparkline(buf, rows[4]!, { data: [0, 1, 2, 3, 4, 5, 6, 7, 8], symbols });
  renderGauge(buf, rows[5]!, { ratio: 0.3, symbols });
  renderHelp(buf, rows[6]!, {
    entries: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, description: "does a thing" })),
    symbols,
  });
  renderConfirm(buf, rows[6]!, { message: "Really? ".repeat(20), symbols });
  renderCommandLine(buf, rows[7]!, { symbols }, {
    ...commandLineState(),
    hint: "candidate ".repeat(10),
  });
  renderStatusBar(buf, rows[8]!, { left: ["left ".repeat(20)], right: ["right"], symbols });
  const text = buf.toLines().join("\n");
  if (Deno.env.get("SHOW_GRID")) console.log(text);
  assert.match(text, /^[\x20-\x7e\n]*$/, text);
  // Every band was drawn (the check above would also pass on an empty screen).
  for (const [i, rect] of rows.entries()) {
    await t.step(`band ${i}`, () => {
      assert.notEqual(buf.toLines()[rect.y]!.trim(), "", `band ${i} is empty:\n${text}`);
    });
  }
  assert.match(text, /# a very long/);
  assert.match(text, /~/);
});
