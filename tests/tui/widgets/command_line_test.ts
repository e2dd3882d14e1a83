import assert from "node:assert/strict";
import { ScreenBuffer } from "../../../src/tui/buffer.ts";
import {
  commandComplete,
  commandEdit,
  commandHistoryDown,
  commandHistoryUp,
  type CommandLineState,
  commandLineState,
  commandSubmit,
  renderCommandLine,
} from "../../../src/tui/widgets/command_line.ts";
import { assertGrid } from "../support/grid.ts";

const type = (s: CommandLineState, text: string) => commandEdit(s, { type: "insert", text });
const commands = ["help", "quit", "panel", "publish", "purge"];

Deno.test("commandComplete() completes a unique match and adds a space", () => {
  const s = commandComplete(type(commandLineState(), "he"), commands);
  assert.equal(s.input.value, "help ");
  assert.equal(s.input.cursor, 5);
  assert.equal(s.hint, null);
});

Deno.test("commandComplete() extends to the common prefix and lists the candidates", () => {
  let s = commandComplete(type(commandLineState(), "p"), commands);
  assert.equal(s.input.value, "p");
  assert.equal(s.hint, "panel  publish  purge");
  s = commandComplete(type(s, "u"), commands);
  assert.equal(s.input.value, "pu");
  assert.equal(s.hint, "publish  purge");
  s = commandComplete(type(s, "b"), commands);
  assert.equal(s.input.value, "publish ");
});

Deno.test("commandComplete() cycles through an ambiguous prefix's candidates on the next Tabs", () => {
  let s = commandComplete(type(commandLineState(), "demo g"), ["gevent", "greenlet", "baozi"]);
  assert.equal(s.input.value, "demo g");
  assert.equal(s.hint, "gevent  greenlet");
  s = commandComplete(s, ["gevent", "greenlet", "baozi"]);
  assert.equal(s.input.value, "demo gevent");
  assert.equal(s.hint, "[gevent]  greenlet");
  s = commandComplete(s, ["gevent", "greenlet", "baozi"]);
  assert.equal(s.input.value, "demo greenlet");
  assert.equal(s.hint, "gevent  [greenlet]");
  s = commandComplete(s, ["gevent", "greenlet", "baozi"]);
  assert.equal(s.input.value, "demo gevent");
  // Typing ends the cycle: the next Tab completes what is now typed.
  s = commandComplete(type(s, " "), ["1", "2"]);
  assert.equal(s.hint, "1  2");
  assert.equal(s.input.value, "demo gevent ");
});

Deno.test("commandComplete() completes the word before the cursor, case-insensitively", () => {
  const s = commandComplete(type(commandLineState(), "publish TOP"), ["logs", "topic_logs"]);
  assert.equal(s.input.value, "publish topic_logs ");
  const none = commandComplete(type(commandLineState(), "nosuch"), commands);
  assert.equal(none.input.value, "nosuch");
  assert.equal(none.hint, "no completions for 'nosuch'");
});

Deno.test("commandSubmit() returns the command, clears the line and records history once", () => {
  let s = type(commandLineState(), "  panel sockets ");
  let r = commandSubmit(s);
  assert.equal(r.command, "panel sockets");
  assert.equal(r.state.input.value, "");
  s = type(r.state, "panel sockets");
  r = commandSubmit(s);
  assert.deepEqual(r.state.history, ["panel sockets"]);
  r = commandSubmit(r.state);
  assert.equal(r.command, "");
  assert.deepEqual(r.state.history, ["panel sockets"]);
});

Deno.test("commandHistoryUp()/Down() browse history and bring the draft back", () => {
  let s = type(commandLineState(["help", "quit"]), "dra");
  s = commandHistoryUp(s);
  assert.equal(s.input.value, "quit");
  s = commandHistoryUp(s);
  assert.equal(s.input.value, "help");
  s = commandHistoryUp(s);
  assert.equal(s.input.value, "help");
  s = commandHistoryDown(s);
  assert.equal(s.input.value, "quit");
  s = commandHistoryDown(s);
  assert.equal(s.input.value, "dra");
  assert.equal(s.historyIndex, null);
  assert.equal(commandHistoryDown(s), s);
  assert.equal(commandHistoryUp(commandLineState()).input.value, "");
});

Deno.test("renderCommandLine() draws the prompt and the hint on the row above", () => {
  let s = commandComplete(type(commandLineState(), "p"), commands);
  const buf = new ScreenBuffer(24, 2);
  renderCommandLine(buf, buf.area, {}, s);
  assertGrid(buf.toLines(), ["panel  publish  purge   ", ":p                      "]);
  assert.equal(buf.cell(2, 1).style.reverse, true);
  s = commandComplete(type(commandLineState(), "pu"), commands);
  const one = new ScreenBuffer(24, 1);
  renderCommandLine(one, one.area, {}, s);
  assertGrid(one.toLines(), [":pu   publish  purge    "]);
});
