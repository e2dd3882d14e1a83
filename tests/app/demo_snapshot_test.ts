/**
 * `start --snapshot --demo NAME --at SECONDS`: a demo's frame at a hub time,
 * from the virtual clock, so the same command prints the same frame; and
 * every bad combination is one line plus the hint, exit 2.
 */
import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
} from "node:assert/strict";
import { parseStartArgs, START_USAGE } from "../../src/app/cli.ts";
import { demoSnapshotState, demoSnapshotText } from "../../src/app/demo_snapshot.ts";
import { warren } from "./support/main_process.ts";

const UTF8 = { LANG: "en_US.UTF-8" };

Deno.test("parseStartArgs() reads --demo and --at (seconds -> hub ms); --demo opens Coroutines", () => {
  const options = parseStartArgs(["--snapshot", "--demo", "baozi", "--at", "2.5"]);
  assert(options !== "help");
  assertEquals([options.panel, options.demo], ["coroutines", { name: "baozi", atMs: 2500 }]);
  const defaults = parseStartArgs(["--snapshot", "--demo", "gevent", "--panel", "overview"]);
  assert(defaults !== "help");
  assertEquals([defaults.panel, defaults.demo], ["overview", { name: "gevent", atMs: 1000 }]);
  assertMatch(START_USAGE, /--demo NAME/);
  assertMatch(START_USAGE, /--at SECONDS/);
});

for (
  const [args, pattern] of [
    [
      ["--snapshot", "--demo", "gevent", "--at", "-1"],
      /^warren start: --at must be seconds from 0 to 3600, got '-1'$/,
    ],
    [
      ["--snapshot", "--demo", "gevent", "--at", "soon"],
      /^warren start: --at must be seconds .* got 'soon'$/,
    ],
    [
      ["--snapshot", "--demo", "nosuch"],
      /^warren start: no demo 'nosuch' \(demos: baozi, greenlet, gevent, sync-async, fetch, blocking\)$/,
    ],
    [["--snapshot", "--at", "1"], /^warren start: --at needs --demo NAME/],
    [["--demo", "gevent"], /^warren start: --demo needs --snapshot/],
  ] as const
) {
  Deno.test(`start ${args.join(" ")} prints one line and the help hint, exit 2`, async () => {
    const { code, stderr } = await warren("start", ...args);
    assertEquals(code, 2);
    const lines = stderr.trim().split("\n");
    assertEquals(lines.length, 2, stderr);
    assertMatch(lines[0]!, pattern);
    assertEquals(lines[1], "run 'deno task start --help' for usage");
  });
}

Deno.test("a demo's frame at a hub time is exact: the same every run", async () => {
  const options = { panel: "coroutines" as const, ascii: false, color: "never" as const };
  const demo = { name: "baozi", atMs: 2500 };
  const first = await demoSnapshotText(options, demo, UTF8);
  assertEquals(await demoSnapshotText(options, demo, UTF8), first);
  const state = await demoSnapshotState(options, demo);
  const snapshot = state.coroutines.snapshot!;
  assertEquals(snapshot.header.nowMs, 2500);
  assertEquals(snapshot.demo?.state, "running");
  assertEquals(
    snapshot.window.rows.map((r) => `${r.name} ${r.stateText}`),
    ["baozi waiting(join)", "c1 waiting(recv)", "c2 waiting(recv)", "producer waiting(sleep)"],
  );
  assertEquals(state.coroutines.output.end, 1 + 2 + 3 * 2 + 2);
});

Deno.test("main.ts start --snapshot --demo baozi --at 6 shows the consumers abandoned, not failed", async () => {
  const { code, stdout } = await warren("start", "--snapshot", "--demo", "baozi", "--at", "6");
  assertEquals(code, 0);
  const rows = stdout.split("\n");
  assertMatch(rows.find((r) => / c1 /.test(r)) ?? "", / abandoned /);
  assertMatch(rows.find((r) => / c2 /.test(r)) ?? "", / abandoned /);
  assert(!stdout.includes("failed"), stdout);
  assertMatch(stdout, /demo baozi: done/);
});
