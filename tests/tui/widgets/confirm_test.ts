import assert from "node:assert/strict";
import { confirmAnswer, renderConfirm } from "../../../src/tui/widgets/confirm.ts";
import { assertGrid, renderToGrid } from "../support/grid.ts";

Deno.test("renderConfirm() asks a yes/no question in a centered box", () => {
  const grid = renderToGrid(
    (buf) => {
      renderConfirm(buf, buf.area, { message: "Delete queue 'task_queue'?" });
    },
    40,
    7,
  );
  assertGrid(grid, [
    "                                        ",
    "     ┏ Confirm ━━━━━━━━━━━━━━━━━━━┓     ",
    "     ┃ Delete queue 'task_queue'? ┃     ",
    "     ┃                            ┃     ",
    "     ┃      [y] yes   [n] no      ┃     ",
    "     ┗━━━━━━━━━━━━━━━━━━━━━━━━━━━━┛     ",
    "                                        ",
  ]);
});

Deno.test("confirmAnswer() takes y/n/Esc and ignores other keys", () => {
  assert.equal(confirmAnswer({ key: "y" }), "yes");
  assert.equal(confirmAnswer({ key: "N" }), "no");
  assert.equal(confirmAnswer({ key: "escape" }), "no");
  assert.equal(confirmAnswer({ key: "enter" }), null);
  assert.equal(confirmAnswer({ key: "y", ctrl: true }), null);
});
