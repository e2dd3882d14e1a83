/**
 * The lab Worker from the UI thread, for real: while a task never yields,
 * commands wait in the Worker's queue and apply once it yields; restarting
 * terminates the stuck Worker and a fresh lab runs demos again.
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import type { StuckTask } from "../../src/app/coroutines.ts";
import { startLabWorker } from "../../src/app/lab_worker.ts";
import type { AppEvent } from "../../src/app/update.ts";
import type { LabMessage } from "../../src/lab/protocol.ts";

/** What one lab Worker dispatched to the app, and a way to wait for something in it. */
function recorder() {
  const events: AppEvent[] = [];
  const messages = (): LabMessage[] => events.flatMap((e) => (e.type === "lab" ? [e.message] : []));
  /** The watchdog's latest word: the stuck task, null once it yielded, undefined before. */
  const lastStuck = (): StuckTask | null | undefined => {
    const last = events.findLast((e) => e.type === "lab-stuck");
    return last?.type === "lab-stuck" ? last.stuck : undefined;
  };
  const waitFor = async <T>(find: () => T | undefined, what: string): Promise<T> => {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { events, messages, lastStuck, dispatch: (e: AppEvent) => void events.push(e), waitFor };
}

type Lab = ReturnType<typeof recorder>;

const hello = (lab: Lab) =>
  lab.waitFor(() => lab.messages().find((m) => m.type === "hello"), "hello");
const stuckTask = (lab: Lab) => lab.waitFor(() => lab.lastStuck() ?? undefined, "a stuck task");

const e2e = { sanitizeOps: false, sanitizeResources: false };

Deno.test({
  name: "a kill sent while a task keeps the lab busy is applied once it yields",
  ...e2e,
  async fn() {
    const lab = recorder();
    const worker = startLabWorker(lab.dispatch);
    try {
      await hello(lab);
      worker.send({ type: "run-demo", name: "blocking" });
      const stuck = await stuckTask(lab);
      const rows = lab.messages().flatMap((m) =>
        m.type === "snapshot" ? m.snapshot.window.rows : []
      );
      assertEquals(rows.find((r) => r.id === stuck.taskId)?.name, "busy");
      const a = rows.find((r) => r.name === "a")!;
      const before = lab.messages().length;
      worker.send({ type: "kill-task", id: a.id });
      const killed = await lab.waitFor(
        () => lab.messages().slice(before).find((m) => m.type === "reply"),
        "the kill's reply",
      );
      assertEquals(killed, {
        type: "reply",
        command: "kill-task",
        ok: true,
        message: `killed #${a.id} 'a'`,
      });
      await lab.waitFor(
        () => (lab.lastStuck() === null ? true : undefined),
        "the watchdog to clear",
      );
    } finally {
      worker.stop();
    }
  },
});

Deno.test({
  name: "restarting ends a lab stuck in a task that never yields; a fresh lab runs demos",
  ...e2e,
  async fn() {
    const old = recorder();
    const stuckLab = startLabWorker(old.dispatch);
    const fresh = recorder();
    let worker = stuckLab;
    try {
      await hello(old);
      stuckLab.send({ type: "run-demo", name: "blocking" });
      await stuckTask(old);
      stuckLab.stop();
      const seen = old.events.length;
      worker = startLabWorker(fresh.dispatch);
      await hello(fresh);
      worker.send({ type: "run-demo", name: "gevent" });
      const done = await fresh.waitFor(
        () =>
          fresh.messages().findLast((m) =>
            m.type === "snapshot" && m.snapshot.demo?.state === "done"
          ),
        "gevent to finish in the fresh lab",
      );
      if (done.type !== "snapshot") throw new Error("not a snapshot");
      // A fresh hub: only gevent's tasks, none of the stuck lab's.
      assertEquals(done.snapshot.header.spawned, 4);
      assertEquals(
        fresh.messages().flatMap((m) => m.type === "snapshot" ? m.snapshot.output.lines : []),
        ["--- demo gevent ---", "12", "56", "9", "34", "78"],
      );
      // Nothing more came from the terminated Worker, not even its late messages.
      assertEquals(old.events.length, seen);
    } finally {
      worker.stop();
    }
  },
});
