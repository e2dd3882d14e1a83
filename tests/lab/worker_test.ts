import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { HubSnapshot, LabCommand, LabMessage } from "../../src/app/protocol.ts";

Deno.test("the lab Worker runs gevent live and posts coalesced snapshots", async () => {
  const worker = new Worker(new URL("../../src/lab/worker.ts", import.meta.url).href, {
    type: "module",
  });
  const messages: { at: number; message: LabMessage }[] = [];
  let notify: () => void = () => {};
  worker.onmessage = (event: MessageEvent<LabMessage>) => {
    messages.push({ at: performance.now(), message: event.data });
    notify();
  };
  const until = async (pred: () => boolean, ms: number, what: string) => {
    const deadline = performance.now() + ms;
    while (!pred()) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        const timer = setTimeout(r, left);
        notify = () => {
          clearTimeout(timer);
          r();
        };
      });
    }
  };
  const send = (command: LabCommand) => worker.postMessage(command);
  const snapshots = () =>
    messages.flatMap((m) =>
      m.message.type === "snapshot" ? [{ at: m.at, s: m.message.snapshot }] : []
    );
  try {
    await until(() => messages.some((m) => m.message.type === "hello"), 10_000, "hello");
    const hello = messages.find((m) => m.message.type === "hello")!.message;
    assert(hello.type === "hello");
    assertEquals(hello.demos.map((d) => d.name).includes("gevent"), true);

    send({ type: "set-view", view: { lanes: { count: 4, windowMs: 2000, buckets: 20 } } });
    send({ type: "run-demo", name: "gevent" });
    const done = () => snapshots().some(({ s }) => s.demo?.state === "done");
    await until(done, 5000, "gevent to finish");
    const output = snapshots().flatMap(({ s }) => s.output.lines);
    assertEquals(output, ["--- demo gevent ---", "12", "56", "9", "34", "78"]);
    const last: HubSnapshot = snapshots().at(-1)!.s;
    assertEquals(last.header.clock, "real");
    assert(last.header.done >= 4, `done ${last.header.done}`);
    assert(last.lanes.lanes.some((l) => l.name === "func1" && l.samples.includes("w")));
    // never more than 10 snapshots a second (allow timer jitter)
    const times = snapshots().map(({ at }) => at);
    for (let i = 1; i < times.length; i++) {
      assert(times[i]! - times[i - 1]! > 60, `gap ${times[i]! - times[i - 1]!}`);
    }

    const before = messages.length;
    send({ type: "kill-task", id: 12345 });
    await until(
      () => messages.slice(before).some((m) => m.message.type === "reply"),
      2000,
      "reply",
    );
    const reply = messages.slice(before).find((m) => m.message.type === "reply")!.message;
    assertEquals(reply, {
      type: "reply",
      command: "kill-task",
      ok: false,
      message: "no task #12345",
    });
    send({ type: "shutdown" });
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    worker.terminate();
  }
});
