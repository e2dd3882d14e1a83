import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { initialState } from "../../src/app/model.ts";
import type { AppEvent } from "../../src/app/update.ts";
import { run } from "./support/run.ts";

const type = (text: string) => [...text];

Deno.test("update() switches panels with Tab, Shift-Tab and the number keys", () => {
  const s0 = initialState();
  assertEquals(run(s0, "tab").panel, "coroutines");
  assertEquals(run(s0, "tab", "tab", "tab", "tab").panel, "overview");
  assertEquals(run(s0, "backtab").panel, "rabbitmq");
  assertEquals(run(s0, "3").panel, "sockets");
  assertEquals(run(s0, "4", "1").panel, "overview");
});

Deno.test("update() opens help with ? and closes it with Esc", () => {
  const open = run(initialState(), "?");
  assertEquals(open.overlay.kind, "help");
  assertEquals(run(open, "escape").overlay.kind, "none");
  // Keys other than the closing ones do nothing while help is open.
  assertEquals(run(open, "2").panel, "overview");
});

Deno.test("update() quits on q and on Ctrl-C, even from the command line", () => {
  assert(run(initialState(), "q").quit);
  assert(run(initialState(), "ctrl+c").quit);
  assert(run(initialState(), ":", ...type("pan"), "ctrl+c").quit);
  // In the command line, q is just a letter.
  assert(!run(initialState(), ":", "q").quit);
});

Deno.test("update() reports an unknown command on the status line", () => {
  const s = run(initialState(), ":", ...type("nosuch"), "enter");
  assertEquals(s.overlay.kind, "none");
  assertEquals(s.message, { text: "unknown command: nosuch (try :help)", level: "error" });
  // Esc dismisses the message.
  assertEquals(run(s, "escape").message, undefined);
});

Deno.test("update() runs :panel, :help and :quit", () => {
  assertEquals(run(initialState(), ":", ...type("panel sockets"), "enter").panel, "sockets");
  assertEquals(run(initialState(), ":", ...type("panel 2"), "enter").panel, "coroutines");
  assertEquals(run(initialState(), ":", ...type("help"), "enter").overlay.kind, "help");
  assert(run(initialState(), ":", ...type("quit"), "enter").quit);
  const bad = run(initialState(), ":", ...type("panel nope"), "enter");
  assertEquals(bad.message?.level, "error");
  assert(bad.message?.text.includes("no panel 'nope'"));
});

Deno.test("update() completes command names and arguments with Tab", () => {
  const name = run(initialState(), ":", ...type("pa"), "tab");
  assert(name.overlay.kind === "command");
  assertEquals(name.overlay.line.input.value, "panel ");
  const ambiguous = run(name, "tab");
  assert(ambiguous.overlay.kind === "command");
  assertEquals(ambiguous.overlay.line.hint, "overview  coroutines  sockets  rabbitmq");
  const arg = run(name, "r", "tab");
  assert(arg.overlay.kind === "command");
  assertEquals(arg.overlay.line.input.value, "panel rabbitmq ");
  assertEquals(run(arg, "enter").panel, "rabbitmq");
});

Deno.test("update() keeps command history across command lines", () => {
  let s = run(initialState(), ":", ...type("panel 3"), "enter", ":", ...type("nosuch"), "enter");
  assertEquals(s.history, ["panel 3", "nosuch"]);
  s = run(s, ":", "up");
  assert(s.overlay.kind === "command");
  assertEquals(s.overlay.line.input.value, "nosuch");
  s = run(s, "up", "enter");
  assertEquals(s.panel, "sockets");
});

Deno.test("update() filters live with / and Esc restores the previous filter", () => {
  const typed = run(initialState({ panel: "coroutines" }), "/", ...type("task"));
  assertEquals(typed.filters.coroutines, "task");
  const kept = run(typed, "enter");
  assertEquals(kept.overlay.kind, "none");
  assertEquals(kept.filters.coroutines, "task");
  const cancelled = run(kept, "/", "backspace", "backspace", "escape");
  assertEquals(cancelled.filters.coroutines, "task");
});

Deno.test("update() Esc clears an applied filter, after dismissing a message first (k9s)", () => {
  const filtered = run(initialState({ panel: "coroutines" }), "/", ...type("task"), "enter");
  const withMessage = { ...filtered, message: { text: "hello", level: "info" as const } };
  const dismissed = run(withMessage, "escape");
  assertEquals(dismissed.message, undefined);
  assertEquals(dismissed.filters.coroutines, "task");
  assertEquals(run(dismissed, "escape").filters.coroutines, "");
});

Deno.test("update() / on a panel with nothing to filter says so and opens nothing", () => {
  const s = run(initialState({ panel: "overview" }), "/");
  assertEquals(s.overlay.kind, "none");
  assertEquals(s.message, { text: "nothing to filter on Overview", level: "info" });
});

Deno.test("update() pastes into the open line only", () => {
  const paste = (text: string): AppEvent => ({ type: "paste", text });
  const s = run(initialState(), ":", paste("panel rabbitmq"), "enter");
  assertEquals(s.panel, "rabbitmq");
  assertEquals(run(initialState(), paste("q")).quit, false);
});

Deno.test("update() ignores keys but q while the terminal is too small", () => {
  const small = run(initialState(), { type: "resize", width: 60, height: 18 });
  assertEquals(run(small, "2").panel, "overview");
  assert(run(small, "q").quit);
  const back = run(small, { type: "resize", width: 80, height: 24 }, "2");
  assertEquals(back.panel, "coroutines");
});
