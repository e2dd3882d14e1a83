/**
 * Clearing finished tasks: the table forgets them (so a new demo's tasks are
 * not buried under an old one's), live tasks and the hub's totals stay.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { recv, sleep } from "../../src/lab/effects.ts";
import { virtualHub } from "../../src/lab/hub.ts";
import { LabService } from "../../src/lab/lab_service.ts";
import type { LabMessage } from "../../src/lab/protocol.ts";

Deno.test("clear-finished forgets the finished tasks the table keeps; live ones and totals stay", async () => {
  const hub = virtualHub();
  const posted: LabMessage[] = [];
  const service = new LabService({ hub, post: (m) => posted.push(m) });
  for (let i = 1; i <= 3; i++) {
    hub.spawn(`quick ${i}`, function* () {
      yield sleep(10 * i);
    });
  }
  const listener = hub.spawn("listener", function* () {
    yield recv();
  });
  await hub.idle();
  assertEquals(service.snapshot().window.total, 4);

  service.handle({ type: "clear-finished" });
  assertEquals(posted.at(-1), {
    type: "reply",
    command: "clear-finished",
    ok: true,
    message: "cleared 3 finished tasks",
  });
  const after = service.snapshot();
  assertEquals(after.window.rows.map((r) => r.name), ["listener"]);
  assertEquals(after.window.total, 1);
  assertEquals([after.header.done, after.header.spawned], [3, 4]);
  assertEquals(hub.task(1), undefined);
  assert(hub.task(listener.id) === listener);

  // Forgotten tasks gave their history slots back: new tasks record their own.
  const next = hub.spawn("next", function* () {
    yield sleep(5);
  });
  await hub.idle();
  assertEquals(hub.events(next).map((e) => e.text), [
    "ready",
    "running",
    "waiting(sleep)",
    "ready",
    "running",
    "done",
  ]);
  service.handle({ type: "clear-finished" });
  service.handle({ type: "clear-finished" });
  assertEquals(posted.at(-1), {
    type: "reply",
    command: "clear-finished",
    ok: true,
    message: "no finished tasks to clear",
  });
  hub.close();
});
