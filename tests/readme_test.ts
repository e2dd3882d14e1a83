/**
 * What the README shows is what the program does: its example `--trace` of
 * baozi and its Coroutines capture are compared with the real output, run
 * on the virtual clock so both are exact.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { VirtualClock } from "../src/lab/clock.ts";
import { runDemoCli } from "../src/lab/demos/cli.ts";
import { parseStartArgs } from "../src/app/cli.ts";
import { demoSnapshotText } from "../src/app/demo_snapshot.ts";

const README = await Deno.readTextFile(new URL("../README.md", import.meta.url));

/** The lines of the fenced block that starts with `firstLine` (the command shown). */
export function readmeBlock(firstLine: string): string[] {
  const lines = README.split("\n");
  const start = lines.indexOf(firstLine);
  assert(start > 0 && lines[start - 1]!.startsWith("```"), `README has a block '${firstLine}'`);
  const end = lines.indexOf("```", start);
  return lines.slice(start + 1, end);
}

Deno.test("the README's baozi --trace is the real trace (its head and its tail around '...')", async () => {
  const shown = readmeBlock("$ deno task demo baozi --trace");
  const cut = shown.indexOf("...");
  assert(cut > 0, "the example marks what it leaves out with '...'");
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDemoCli(
    ["baozi", "--trace"],
    { out: (l) => out.push(l), err: (l) => err.push(l) },
    new VirtualClock(),
  );
  assertEquals([code, err], [0, []]);
  const head = shown.slice(0, cut);
  const tail = shown.slice(cut + 1);
  assertEquals(out.slice(0, head.length), head);
  assertEquals(out.slice(out.length - tail.length), tail);
});

Deno.test("the README's Coroutines capture is what its --snapshot --demo --at command prints", async () => {
  const command = "$ deno task start --snapshot --panel coroutines --demo gevent --at 1";
  const shown = readmeBlock(command);
  const args = command.replace("$ deno task start ", "").split(" ");
  const options = parseStartArgs(args);
  assert(options !== "help" && options.demo !== undefined);
  const text = await demoSnapshotText(options, options.demo, { LANG: "en_US.UTF-8" });
  assertEquals(text.split("\n"), shown);
});
