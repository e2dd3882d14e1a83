import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import fc from "fast-check";
import { virtualHub } from "../../src/lab/hub.ts";
import { recv, sleep } from "../../src/lab/effects.ts";
import { runDemo } from "../../src/lab/demos/demo.ts";
import { findDemo } from "../../src/lab/demos/registry.ts";
import {
  DEFAULT_VIEW,
  laneView,
  mergeView,
  smallest,
  taskDetail,
  taskRow,
  taskWindow,
} from "../../src/lab/telemetry.ts";
import { LabService } from "../../src/lab/lab_service.ts";
import type { HubSnapshot, LabMessage } from "../../src/lab/protocol.ts";

Deno.test("smallest() returns the same rows as a full sort", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 50 })),
      fc.integer({ min: 0, max: 20 }),
      (xs, k) => {
        const cmp = (a: number, b: number) => a - b;
        assertEquals(smallest(xs, k, cmp), [...xs].sort(cmp).slice(0, k));
      },
    ),
  );
});

Deno.test("mergeView() clamps what the UI asks for to bounded sizes", () => {
  const v = mergeView(DEFAULT_VIEW, {
    limit: 10_000,
    offset: -5,
    lanes: { count: 99, windowMs: 5000, buckets: 0 },
  });
  assertEquals([v.limit, v.offset, v.lanes.count, v.lanes.buckets, v.lanes.windowMs], [
    500,
    0,
    32,
    1,
    5000,
  ]);
  assertEquals(v.sort, "id");
});

Deno.test("taskWindow() filters, sorts and pages the task table with exact totals", async () => {
  const hub = virtualHub();
  for (let i = 1; i <= 30; i++) {
    hub.spawn(`worker ${i}`, function* () {
      for (let k = 0; k < i % 5; k++) yield;
      yield recv();
    }, { group: i % 2 === 0 ? "even" : "odd" });
  }
  await hub.idle();
  const now = hub.now();
  const all = taskWindow(hub, mergeView(DEFAULT_VIEW, { limit: 5 }), now);
  assertEquals(all.total, 30);
  assertEquals(all.rows.map((r) => r.id), [1, 2, 3, 4, 5]);
  assertEquals(all.rows[0]!.stateText, "waiting(recv)");

  const even = taskWindow(
    hub,
    mergeView(DEFAULT_VIEW, { filter: "EVEN", offset: 2, limit: 3 }),
    now,
  );
  assertEquals(even.total, 15);
  assertEquals(even.rows.map((r) => r.name), ["worker 6", "worker 8", "worker 10"]);

  const busiest = taskWindow(
    hub,
    mergeView(DEFAULT_VIEW, { sort: "switches", descending: true, limit: 4 }),
    now,
  );
  assertEquals(busiest.rows.map((r) => [r.id, r.switches]), [[4, 5], [9, 5], [14, 5], [19, 5]]);

  const byId = taskWindow(hub, mergeView(DEFAULT_VIEW, { filter: "#7" }), now);
  assertEquals(byId.rows.map((r) => r.name), ["worker 7"]);
  hub.close();
});

Deno.test("laneView() draws gevent's switching on sleep, and taskDetail() its history", async () => {
  const hub = virtualHub();
  await runDemo(findDemo("gevent")!, { hub, print: () => {} });
  const now = hub.now();
  assertEquals(now, 1000);
  const view = mergeView(DEFAULT_VIEW, { lanes: { count: 4, windowMs: 1250, buckets: 5 } });
  const lanes = laneView(hub, view, now, undefined);
  assertEquals(lanes.bucketMs, 250);
  assertEquals(
    lanes.lanes.map((l) => `${l.name}|${l.samples}|`),
    ["gevent| RwwR|", "func1| RwwR|", "func2| RwwR|", "func3| R   |"],
  );
  const func1 = hub.recentFinished().find((t) => t.name === "func1")!;
  const detail = taskDetail(hub, func1, now);
  assertEquals(detail.events.map((e) => `${e.atMs} ${e.text}`), [
    "0 ready",
    "0 running",
    "0 waiting(sleep)",
    "1000 ready",
    "1000 running",
    "1000 done",
  ]);
  assertEquals(detail.parent?.name, "gevent");
  assertEquals(detail.task.state, "done");
  const main = taskDetail(hub, hub.task(func1.parentId)!, now);
  assertEquals(main.children.map((c) => c.name), ["func1", "func2", "func3"]);
  // The count agrees with the list: finished children are children too.
  assertEquals(main.childCount, 3);
  hub.close();
});

Deno.test("taskWindow() moves the window to an anchor task in the new order and says where", async () => {
  const hub = virtualHub();
  for (let i = 1; i <= 30; i++) {
    hub.spawn(`worker ${i}`, function* () {
      for (let k = 0; k < i % 7; k++) yield;
      yield recv();
    });
  }
  await hub.idle();
  const now = hub.now();
  // Tasks 6, 13, 20 and 27 switched most: by switches descending (ties by id) 27 is fourth.
  const view = mergeView(DEFAULT_VIEW, {
    sort: "switches",
    descending: true,
    limit: 3,
    anchorId: 27,
  });
  const window = taskWindow(hub, view, now);
  const order = taskWindow(
    hub,
    mergeView(DEFAULT_VIEW, { sort: "switches", descending: true, limit: 30 }),
    now,
  )
    .rows.map((r) => r.id);
  assertEquals(window.anchorIndex, 3);
  assertEquals(order.indexOf(27), 3);
  assertEquals(window.rows.map((r) => r.id), [13, 20, 27], "the anchor on the window's last row");
  // A filtered-out or unknown anchor gives no index, and the window stays where it was asked.
  const gone = taskWindow(hub, mergeView(view, { anchorId: 999 }), now);
  assertEquals(gone.anchorIndex, undefined);
  assertEquals(gone.request.offset, 0);
  hub.close();
});

Deno.test("a snapshot with 100k tasks stays small and its counts stay exact", async () => {
  const hub = virtualHub();
  const posted: LabMessage[] = [];
  const service = new LabService({ hub, post: (m) => posted.push(m) });
  service.handle({ type: "stress", tasks: 100_000 });
  service.handle({ type: "set-view", view: { sort: "name", limit: 50, selectedId: 5 } });
  await new Promise((r) => setTimeout(r, 0));
  const started = performance.now();
  assert(service.tick(1_000_000));
  const took = performance.now() - started;
  console.log(`snapshot of 100k tasks built in ${took.toFixed(1)} ms`);
  const message = posted.at(-1)!;
  assert(message.type === "snapshot");
  const snapshot: HubSnapshot = message.snapshot;
  const size = JSON.stringify(snapshot).length;
  assertEquals(snapshot.header.live, 100_000);
  assertEquals(snapshot.window.total, 100_000);
  assertEquals(snapshot.window.rows.length, 50);
  assertEquals(snapshot.window.rows[0]!.name, "sleeper 1");
  assertEquals(snapshot.window.rows[1]!.name, "sleeper 10");
  assertEquals(snapshot.selected?.task.id, 5);
  assert(size < 64_000, `snapshot is ${size} bytes`);
  assert(took < 1500, `snapshot took ${took} ms`);
  // coalescing: nothing new within 100 ms, and a heartbeat after a second
  assertEquals(service.tick(1_000_050), false);
  service.handle({ type: "stress", tasks: 0 });
  assertEquals(hub.stats().live, 0);
  hub.close();
});

Deno.test("LabService replies to commands and reports unknown tasks and demos", () => {
  const hub = virtualHub();
  const posted: LabMessage[] = [];
  const service = new LabService({ hub, post: (m) => posted.push(m) });
  service.hello();
  service.handle({ type: "kill-task", id: 999 });
  service.handle({ type: "run-demo", name: "nope" });
  assertEquals(posted[0]!.type, "hello");
  assertEquals(posted.slice(1), [
    { type: "reply", command: "kill-task", ok: false, message: "no task #999" },
    {
      type: "reply",
      command: "run-demo",
      ok: false,
      message: "no demo 'nope' (baozi, greenlet, gevent, sync-async, fetch, blocking)",
    },
  ]);
  hub.close();
});

Deno.test("a killed task shows in the table as killed (not failed) with the kill explained", async () => {
  const hub = virtualHub();
  const t = hub.spawn("victim", function* () {
    yield recv();
  });
  await new Promise((r) => setTimeout(r, 0));
  hub.kill(t);
  const detail = taskDetail(hub, t, hub.now());
  assertEquals([detail.task.state, detail.error, detail.endReason], [
    "killed",
    null,
    "task 'victim' was killed",
  ]);
  hub.close();
});

Deno.test("LabService runs a demo with trace into the output and stops a running one", async () => {
  const hub = virtualHub();
  const posted: LabMessage[] = [];
  const service = new LabService({ hub, post: (m) => posted.push(m) });
  service.handle({ type: "run-demo", name: "greenlet", trace: true });
  await hub.idle();
  await new Promise((r) => setTimeout(r, 0));
  const first = service.snapshot();
  assertEquals(first.demo?.state, "done");
  assertEquals(first.output.lines.filter((l) => !l.startsWith("  · ")), [
    "--- demo greenlet ---",
    "12",
    "56",
    "34",
    "78",
  ]);
  assert(first.output.lines.includes("  · switch gr1 -> gr2"));

  const release = hub.hold(); // keep baozi's virtual time from running to its end
  service.handle({ type: "run-demo", name: "baozi" });
  await new Promise((r) => setTimeout(r, 0));
  assertEquals(hub.stats().live, 4);
  service.handle({ type: "stop-demo" });
  assertEquals(hub.stats().live, 0);
  const second = service.snapshot();
  assertEquals(second.demo?.state, "stopped");
  assertEquals(second.output.lines, [
    "--- demo baozi ---",
    "--->starting eating baozi...",
    "--->starting eating baozi...",
    "[c1] is eating baozi 1",
    "[c2] is eating baozi 1",
  ]);
  assertEquals(second.output.nextLine, first.output.nextLine + 5);
  release();
  hub.close();
});

Deno.test("taskRow() times the state: how long a task has waited, how long ago it ended", async () => {
  const hub = virtualHub();
  hub.spawn("quick", function* () {
    yield sleep(100);
  });
  hub.spawn("slow", function* () {
    yield sleep(1000);
  });
  hub.spawn("listener", function* () {
    yield recv();
  });
  await hub.idle();
  const now = hub.now();
  assertEquals(now, 1000);
  const tasks = [...hub.recentFinished()];
  hub.forEachLive((t) => tasks.push(t));
  const forMs = Object.fromEntries(tasks.map((t) => [t.name, taskRow(t, now).stateForMs]));
  assertEquals(forMs, { quick: 900, slow: 0, listener: 1000 });
});
