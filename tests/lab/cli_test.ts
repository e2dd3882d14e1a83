import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
  rejects,
} from "node:assert/strict";
import { runDemoCli } from "../../src/lab/demos/cli.ts";
import { UsageError } from "../../src/cli/usage.ts";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

const hasMain = await Deno.stat(new URL("../../main.ts", import.meta.url)).then(
  () => true,
  () => false,
);

Deno.test({
  name: `deno run main.ts demo gevent prints the lesson's output with real timing${
    hasMain ? "" : " (skipped: main.ts not present)"
  }`,
  ignore: !hasMain,
  async fn() {
    const start = performance.now();
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "main.ts", "demo", "gevent"],
      cwd: new URL("../..", import.meta.url).pathname,
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const lines: { line: string; at: number }[] = [];
    let buffered = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += value;
      const parts = buffered.split("\n");
      buffered = parts.pop()!;
      for (const line of parts) lines.push({ line, at: performance.now() - start });
    }
    const status = await child.status;
    await child.stderr.cancel();
    assertEquals(status.code, 0);
    assertEquals(lines.map((l) => l.line), ["12", "56", "9", "34", "78"]);
    const gap = lines[3]!.at - lines[0]!.at;
    assert(gap > 800 && gap < 2000, `34 came ${gap} ms after 12`);
  },
});

Deno.test("runDemoCli() with an unknown demo lists the demos on stderr and returns 2", async () => {
  const { out, err, io } = capture();
  assertEquals(await runDemoCli(["nope"], io), 2);
  assertEquals(out, []);
  assertEquals(err[0], "demo: no demo 'nope'; one of:");
  assertEquals(err.length, 7);
  assertMatch(err[3]!, /^ {2}gevent {6}switching on sleep/);
});

Deno.test("runDemoCli() without a name lists the demos and returns 2", async () => {
  const { err, io } = capture();
  assertEquals(await runDemoCli([], io), 2);
  assertEquals(err[0], "demo: which demo? one of:");
});

Deno.test("runDemoCli() --help prints usage to stdout and returns 0", async () => {
  const { out, io } = capture();
  assertEquals(await runDemoCli(["--help"], io), 0);
  assertMatch(out[0]!, /^usage: deno task demo NAME \[--trace\] \[--speed X\]/);
  assert(out.some((l) => l.includes("sync-async")));
});

Deno.test("runDemoCli() rejects a bad --speed with a UsageError", async () => {
  const { io } = capture();
  await rejects(runDemoCli(["gevent", "--speed", "fast"], io), UsageError);
  await rejects(runDemoCli(["gevent", "--speed", "0"], io), UsageError);
  await rejects(runDemoCli(["gevent", "--bogus"], io), UsageError);
});

Deno.test("runDemoCli() --trace --speed 4 interleaves scheduling events and runs 4x faster", async () => {
  const { out, io } = capture();
  assertEquals(await runDemoCli(["greenlet", "--trace"], io), 0);
  assertEquals(out.filter((l) => !l.startsWith("  · ")), ["12", "56", "34", "78"]);
  assert(out.includes("  · switch gr1 -> gr2"), out.join("\n"));
  assert(out.includes("  · switch gr2 -> gr1"));

  const fast = capture();
  const t0 = performance.now();
  assertEquals(await runDemoCli(["gevent", "--trace", "--speed", "4"], fast.io), 0);
  const took = performance.now() - t0;
  assert(took >= 240 && took < 1500, `gevent at speed 4 took ${took} ms`);
  assert(fast.out.includes("  · func1: sleep 1000 ms"), fast.out.join("\n"));
  assert(fast.out.includes("  · wake func1 (timer fired)"));
  const i12 = fast.out.indexOf("12");
  const iSleep = fast.out.indexOf("  · func1: sleep 1000 ms");
  const iSwitch = fast.out.indexOf("  · switch func1 -> func2");
  assert(i12 < iSleep && iSleep < iSwitch && iSwitch < fast.out.indexOf("56"));
});
