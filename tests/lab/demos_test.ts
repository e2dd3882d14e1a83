import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { Hub, virtualHub } from "../../src/lab/hub.ts";
import { RealClock } from "../../src/lab/clock.ts";
import { runDemo } from "../../src/lab/demos/demo.ts";
import { DEMOS, findDemo } from "../../src/lab/demos/registry.ts";

/** Runs a demo on a virtual hub; returns `time line` strings and the final hub time. */
async function runVirtual(
  name: string,
): Promise<{ lines: string[]; endMs: number; state: string }> {
  const hub = virtualHub();
  const lines: string[] = [];
  const demo = findDemo(name);
  assert(demo !== undefined, `demo ${name} exists`);
  const main = await runDemo(demo, { hub, print: (line) => lines.push(`${hub.now()} ${line}`) });
  await hub.idle();
  const endMs = hub.now();
  const live = hub.stats().live;
  hub.close();
  assertEquals(live, 0, "a demo leaves no task behind");
  return { lines, endMs, state: main.state };
}

Deno.test("the demo list has the lesson's six demos with descriptions", async (t) => {
  assertEquals(DEMOS.map((d) => d.name), [
    "baozi",
    "greenlet",
    "gevent",
    "sync-async",
    "fetch",
    "blocking",
  ]);
  for (const d of DEMOS) {
    await t.step(`${d.name} has a description`, () => {
      assert(d.description.length > 20, d.name);
    });
  }
});

Deno.test("baozi: consumers start, then eat each baozi before the producer makes the next", async () => {
  const { lines, endMs, state } = await runVirtual("baozi");
  const expected = ["0 --->starting eating baozi...", "0 --->starting eating baozi..."];
  for (let n = 1; n <= 5; n++) {
    const at = (n - 1) * 1000;
    expected.push(`${at} [c1] is eating baozi ${n}`, `${at} [c2] is eating baozi ${n}`);
    expected.push(`${n * 1000} [producer] is making baozi ${n}`);
  }
  assertEquals(lines, expected);
  assertEquals([endMs, state], [5000, "done"]);
});

Deno.test("greenlet: explicit switches print 12, 56, 34, 78", async () => {
  const { lines, endMs } = await runVirtual("greenlet");
  assertEquals(lines, ["0 12", "0 56", "0 34", "0 78"]);
  assertEquals(endMs, 0);
});

Deno.test("gevent: 12, 56, 9 at once, then 34, 78 one second later", async () => {
  const { lines, endMs } = await runVirtual("gevent");
  assertEquals(lines, ["0 12", "0 56", "0 9", "1000 34", "1000 78"]);
  assertEquals(endMs, 1000);
});

Deno.test("sync-async: nine 0.5 s tasks take 4.50 s in sequence and 0.50 s concurrently", async () => {
  const { lines, endMs } = await runVirtual("sync-async");
  const expected = ["0 Synchronous:"];
  for (let i = 1; i <= 9; i++) expected.push(`${i * 500} Task ${i} done`);
  expected.push("4500 Asynchronous:");
  for (let i = 1; i <= 9; i++) expected.push(`5000 Task ${i} done`);
  expected.push("5000 sync 4.50 s, async 0.50 s");
  assertEquals(lines, expected);
  assertEquals(endMs, 5000);
});

Deno.test("fetch: sequential then concurrent page fetch from a local server, one page failing", async () => {
  const { lines, endMs, state } = await runVirtual("fetch");
  const [first = "", ...rest] = lines;
  assert(
    /^0 local server http:\/\/127\.0\.0\.1:\d+ \(delays 300\/500\/200\/100 ms\)$/.test(first),
    first,
  );
  assertEquals(rest, [
    "0 Sequential:",
    "0 GET: /www.python.org/",
    "300 50112 bytes received from /www.python.org/.",
    "300 GET: /www.yahoo.com/",
    "800 91204 bytes received from /www.yahoo.com/.",
    "800 GET: /github.com/",
    "1000 30777 bytes received from /github.com/.",
    "1000 GET: /broken.example/",
    "1100 error from /broken.example/: HTTP Error 500: Internal Server Error",
    "1100 sequential cost 1.10 s",
    "1100 Concurrent:",
    "1100 GET: /www.python.org/",
    "1100 GET: /www.yahoo.com/",
    "1100 GET: /github.com/",
    "1100 GET: /broken.example/",
    "1200 error from /broken.example/: HTTP Error 500: Internal Server Error",
    "1300 30777 bytes received from /github.com/.",
    "1400 50112 bytes received from /www.python.org/.",
    "1600 91204 bytes received from /www.yahoo.com/.",
    "1600 concurrent cost 0.50 s",
  ]);
  assertEquals([endMs, state], [1600, "done"]);
});

Deno.test("blocking: a 2 s busy-wait delays everyone's timers and raises the warning", async () => {
  const { lines, endMs } = await runVirtual("blocking");
  assertEquals(lines, [
    "500 [a] tick 1 at 0.50 s (late 0 ms)",
    "500 [b] tick 1 at 0.50 s (late 0 ms)",
    "700 [busy] busy-waits 2 s without yielding (a blocking call inside a coroutine)",
    "2700 [busy] done at 2.70 s",
    "2700 ! warning: busy: one step blocked the hub for 2.00 s",
    "2700 ! warning: busy: did not yield for 2.00 s",
    "2700 [a] tick 2 at 2.70 s (late 1700 ms)",
    "2700 [b] tick 2 at 2.70 s (late 1700 ms)",
    "3200 [a] tick 3 at 3.20 s (late 0 ms)",
    "3200 [b] tick 3 at 3.20 s (late 0 ms)",
  ]);
  assertEquals(endMs, 3200);
});

Deno.test("gevent on the real clock prints 34 and 78 about a second after 12", async () => {
  const hub = new Hub({ clock: new RealClock() });
  const start = performance.now();
  const seen: { line: string; at: number }[] = [];
  await runDemo(findDemo("gevent")!, {
    hub,
    print: (line) => seen.push({ line, at: performance.now() - start }),
  });
  hub.close();
  assertEquals(seen.map((s) => s.line), ["12", "56", "9", "34", "78"]);
  const at = (line: string) => seen.find((s) => s.line === line)!.at;
  assert(at("9") < 100, `9 printed at ${at("9")} ms`);
  const gap = at("34") - at("12");
  assert(gap >= 990 && gap < 1600, `34 came ${gap} ms after 12`);
});

Deno.test("baozi's trace: each baozi is producer -> c1 -> producer -> c2 -> producer, then the sleep", async () => {
  const lines: string[] = [];
  const hub = virtualHub({ trace: (line) => lines.push(line) });
  await runDemo(findDemo("baozi")!, { hub, print: (line) => lines.push(line) });
  hub.close();
  // what happens between the producer's first hand-off of a baozi and its sleep
  const rounds: string[][] = [];
  let round: string[] | null = null;
  for (const line of lines) {
    if (line === "producer: send to c1") round = [];
    if (round === null) continue;
    if (line.startsWith("switch ") || line.startsWith("[")) round.push(line);
    if (line === "producer: sleep 1000 ms") {
      rounds.push(round);
      round = null;
    }
  }
  assertEquals(rounds.length, 5);
  rounds.forEach((r, i) => {
    const n = i + 1;
    assertEquals(r, [
      "switch producer -> c1",
      `[c1] is eating baozi ${n}`,
      "switch c1 -> producer",
      "switch producer -> c2",
      `[c2] is eating baozi ${n}`,
      "switch c2 -> producer",
    ]);
  });
});
