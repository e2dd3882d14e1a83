/**
 * How tasks end, and that only an exception is a failure: `done` (returned),
 * `failed` (threw), `killed` (a person's kill-task), `abandoned` (its program
 * ended while it waited, as Python leaves a suspended generator).
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { virtualHub } from "../../src/lab/hub.ts";
import { join, recv, sleep, switchTo, wait } from "../../src/lab/effects.ts";
import { type Demo, runDemo } from "../../src/lab/demos/demo.ts";
import { findDemo } from "../../src/lab/demos/registry.ts";
import { LabService } from "../../src/lab/lab_service.ts";
import { taskDetail } from "../../src/lab/telemetry.ts";
import type { LabMessage } from "../../src/lab/protocol.ts";
import type { Task } from "../../src/lab/task.ts";

/** Runs a demo on a virtual hub; returns every task it had, by name, after it ended. */
async function endings(demo: Demo): Promise<Record<string, [string, string | null]>> {
  const hub = virtualHub();
  await runDemo(demo, { hub, print: () => {} });
  await hub.idle();
  const out: Record<string, [string, string | null]> = {};
  for (const t of hub.recentFinished()) out[t.name] = [t.state, t.endReason];
  assertEquals(hub.stats().live, 0, "the demo leaves no task behind");
  assertEquals([hub.stats().failed, hub.stats().killed], [0, 0], "nothing failed, no one killed");
  hub.close();
  return out;
}

Deno.test("baozi's consumers end abandoned, waiting in recv, not failed or killed", async () => {
  assertEquals(await endings(findDemo("baozi")!), {
    baozi: ["done", null],
    c1: ["abandoned", "demo ended while it waited in recv"],
    c2: ["abandoned", "demo ended while it waited in recv"],
    producer: ["done", null],
  });
});

Deno.test("greenlet's gr1 ends abandoned in its last switchTo, not failed", async () => {
  assertEquals(await endings(findDemo("greenlet")!), {
    greenlet: ["done", null],
    gr1: ["abandoned", "demo ended while it waited in switchTo"],
    gr2: ["done", null],
  });
});

Deno.test("a demo that throws fails; the tasks it leaves behind are abandoned", async () => {
  const hub = virtualHub();
  const main = await runDemo({
    name: "oops",
    description: "throws while its helper waits",
    *main({ hub }) {
      hub.spawn("helper", function* () {
        yield sleep(10_000);
      });
      yield sleep(1);
      throw new Error("boom");
    },
  }, { hub, print: () => {} });
  const helper = hub.recentFinished().find((t) => t.name === "helper")!;
  assertEquals([main.state, main.endReason], ["failed", "boom"]);
  assertEquals([helper.state, helper.endReason], [
    "abandoned",
    "demo failed while it waited in sleep",
  ]);
  hub.close();
});

Deno.test("abandon() runs finally blocks, wakes joiners, and is counted apart from failures", async () => {
  const hub = virtualHub();
  const log: string[] = [];
  const io = hub.spawn("io", function* () {
    try {
      yield wait(new Promise(() => {}), "GET /slow", { holdClock: false });
    } finally {
      log.push("cleanup");
    }
  });
  let partner: Task | null = null;
  const parked = hub.spawn("parked", function* () {
    yield switchTo(partner!); // and nobody switches back
  });
  partner = hub.spawn("partner", function* () {
    yield recv();
  });
  hub.spawn("joiner", function* () {
    yield join(io);
    log.push("joiner woke");
  });
  hub.spawn("ender", function* () {
    yield sleep(5);
    log.push(`abandon -> ${hub.abandon(io, "lesson over")}`);
    log.push(`again -> ${hub.abandon(io, "lesson over")}`);
  });
  // deno-lint-ignore require-yield
  hub.spawn("thrower", function* () {
    throw new Error("a real failure");
  });
  await hub.idle();
  assertEquals(log, ["cleanup", "abandon -> true", "again -> false", "joiner woke"]);
  assertEquals([io.state, io.endReason, io.error], [
    "abandoned",
    "lesson over while it waited in io GET /slow",
    undefined,
  ]);
  assertEquals(parked.stateText, "waiting(switch)");
  const s = hub.stats();
  assertEquals([s.done, s.failed, s.killed, s.abandoned], [2, 1, 0, 1]);
  const detail = taskDetail(hub, io, hub.now());
  assertEquals([detail.task.state, detail.error, detail.endReason], [
    "abandoned",
    null,
    "lesson over while it waited in io GET /slow",
  ]);
  hub.close();
  assertEquals([parked.state, parked.endReason], [
    "abandoned",
    "hub closed while it waited in switchTo",
  ]);
});

Deno.test("a task abandoned during its own step ends when the step returns", async () => {
  const hub = virtualHub();
  const lines: string[] = [];
  hub.trace = (line) => lines.push(line);
  const t = hub.spawn("self", function* (self) {
    hub.abandon(self, "gave up");
    yield recv();
  });
  await hub.idle();
  assertEquals([t.state, t.endReason], ["abandoned", "gave up while it was running"]);
  assert(lines.includes("self: abandoned: gave up while it was running"), lines.join("\n"));
  hub.close();
});

Deno.test("stopping a demo abandons its tasks ('demo stopped'); kill-task kills", async () => {
  const hub = virtualHub();
  const posted: LabMessage[] = [];
  const service = new LabService({ hub, post: (m) => posted.push(m) });
  const release = hub.hold(); // keep baozi's virtual time from running to its end
  service.handle({ type: "run-demo", name: "baozi" });
  await new Promise((r) => setTimeout(r, 0));
  const byName = (name: string): Task => {
    let found: Task | undefined;
    hub.forEachLive((t) => {
      if (t.name === name) found = t;
    });
    return found ?? hub.recentFinished().find((t) => t.name === name)!;
  };
  const c1 = byName("c1");
  const c2 = byName("c2");
  service.handle({ type: "kill-task", id: c1.id });
  service.handle({ type: "stop-demo" });
  assertEquals([c1.state, c1.endReason], ["killed", "task 'c1' was killed"]);
  assertEquals([c2.state, c2.endReason], ["abandoned", "demo stopped while it waited in recv"]);
  assertEquals(service.snapshot().demo?.state, "stopped");
  release();
  hub.close();
});
