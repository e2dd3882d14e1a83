import assert from "node:assert/strict";
import { ScreenBuffer } from "../../../src/tui/buffer.ts";
import {
  formEdit,
  type FormField,
  formFocusNext,
  formFocusPrev,
  formState,
  formSubmit,
  renderForm,
} from "../../../src/tui/widgets/form.ts";
import { assertGrid } from "../support/grid.ts";

const fields: FormField[] = [
  { name: "queue", label: "Queue", validate: (v) => (v === "" ? "required" : null) },
  {
    name: "count",
    label: "Count",
    placeholder: "1",
    validate: (v) => (/^\d*$/.test(v) ? null : "not a number"),
  },
];

Deno.test("form focus moves with Tab and Shift-Tab and wraps around", () => {
  const s = formState(fields);
  assert.equal(formFocusNext(s).focus, 1);
  assert.equal(formFocusNext(formFocusNext(s)).focus, 0);
  assert.equal(formFocusPrev(s).focus, 1);
});

Deno.test("formSubmit() reports the first invalid field and focuses it; edits clear the message", () => {
  let s = formFocusNext(formState(fields));
  s = formEdit(s, { type: "insert", text: "x" });
  const bad = formSubmit(fields, s);
  assert.equal(bad.ok, false);
  if (bad.ok) return;
  assert.equal(bad.state.error, "Queue: required");
  assert.equal(bad.state.focus, 0);
  s = formEdit(bad.state, { type: "insert", text: "jobs" });
  assert.equal(s.error, null);
  const again = formSubmit(fields, s);
  assert.equal(again.ok, false);
  if (!again.ok) assert.equal(again.state.error, "Count: not a number");
  const good = formSubmit(fields, formState(fields, { queue: "jobs", count: "5" }));
  assert.deepEqual(good, { ok: true, values: { queue: "jobs", count: "5" } });
});

Deno.test("renderForm() draws labelled fields, the error and the key hint", () => {
  const s = { ...formState(fields, { queue: "jobs" }), error: "Count: not a number", focus: 1 };
  const buf = new ScreenBuffer(30, 5);
  renderForm(buf, buf.area, { fields, hint: "Tab next" }, s);
  assertGrid(buf.toLines(), [
    "Queue: jobs                   ",
    "Count: 1                      ",
    "Count: not a number           ",
    "                              ",
    "Tab next                      ",
  ]);
  assert.equal(buf.cell(0, 1).style.bold, true);
  assert.equal(buf.cell(0, 0).style.bold, undefined);
  assert.equal(buf.cell(7, 1).style.reverse, true); // the cursor in the focused field
  assert.equal(buf.cell(12, 0).style.reverse, undefined);
  assert.deepEqual(buf.cell(0, 2).style, { fg: 1, bold: true });
});
