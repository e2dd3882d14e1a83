import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { runCommandLine } from "../../src/app/commands.ts";

Deno.test("runCommandLine() runs a command with the arguments it takes", async (t) => {
  const cases: [string, unknown][] = [
    ["stress 10", { kind: "stress", tasks: 10 }],
    ["panel 2", { kind: "panel", panel: "coroutines" }],
    ["demo gevent", { kind: "demo", name: "gevent" }],
    ["q", { kind: "quit" }],
    ["", undefined],
  ];
  for (const [line, intent] of cases) {
    await t.step(`:${line}`, () => assertEquals(runCommandLine(line), intent));
  }
});

Deno.test("runCommandLine() refuses extra arguments instead of ignoring them", async (t) => {
  const cases: [string, string][] = [
    ["stress 10 20", ":stress takes 1 argument, got 2 (usage: :stress N)"],
    ["demo gevent baozi", ":demo takes 1 argument, got 2 (usage: :demo NAME)"],
    ["quit now", ":quit takes no arguments, got 1 (usage: :quit)"],
  ];
  for (const [line, message] of cases) {
    await t.step(`:${line}`, () => {
      assertEquals(runCommandLine(line), { kind: "error", message });
    });
  }
});
