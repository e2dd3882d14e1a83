import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { HubSnapshot, LabCommand, LabMessage } from "../../src/lab/protocol.ts";

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

Deno.test("the lab Worker's watchdog shows a blocking task from the UI thread while it blocks", async () => {
  const worker = new Worker(new URL("../../src/lab/worker.ts", import.meta.url).href, {
    type: "module",
  });
  const messages: LabMessage[] = [];
  worker.onmessage = (event: MessageEvent<LabMessage>) => messages.push(event.data);
  const waitFor = async (pred: () => boolean, ms: number, what: string) => {
    const deadline = performance.now() + ms;
    while (!pred()) {
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  try {
    await waitFor(() => messages.some((m) => m.type === "hello"), 10_000, "hello");
    const hello = messages.find((m) => m.type === "hello")!;
    assert(hello.type === "hello");
    assert(hello.watchdog instanceof SharedArrayBuffer);
    const watch = new Float64Array(hello.watchdog);
    worker.postMessage({ type: "run-demo", name: "blocking" } satisfies LabCommand);
    // the Worker is stuck in the busy-wait: only shared memory can tell us
    let blockedId = 0;
    let blockedFor = 0;
    await waitFor(
      () => {
        if (watch[1] !== 0 && Date.now() - watch[0]! > 1000) {
          blockedId = watch[1]!;
          blockedFor = Date.now() - watch[0]!;
        }
        return blockedId !== 0;
      },
      5000,
      "the watchdog to show a step over 1 s",
    );
    assert(blockedFor > 1000 && blockedFor < 2500, `blocked for ${blockedFor} ms`);
    const done = () =>
      messages.some((m) => m.type === "snapshot" && m.snapshot.demo?.state === "done");
    await waitFor(done, 5000, "the blocking demo to finish");
    const last = messages.filter((m) => m.type === "snapshot").at(-1)!;
    assert(last.type === "snapshot");
    const rows = last.snapshot.window.rows;
    assertEquals(rows.find((r) => r.id === blockedId)?.name, "busy");
    const output = messages.flatMap((m) => m.type === "snapshot" ? m.snapshot.output.lines : []);
    // Real clock: the 2 s busy-wait measures 2.00 s, or a little more on a loaded machine.
    assert(
      output.some((line) => /^! warning: busy: one step blocked the hub for 2\.0\d s$/.test(line)),
      output.join("\n"),
    );
    worker.postMessage({ type: "shutdown" } satisfies LabCommand);
    await new Promise((r) => setTimeout(r, 50));
  } finally {
    worker.terminate();
  }
});
