/**
 * The dashboard while a task keeps the lab busy (`:demo blocking`): it says
 * so, marks the figures stale, never drops a key, and offers to restart the
 * lab since a task that never yields cannot be killed.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { AppState } from "../../src/app/model.ts";
import type { AppEvent } from "../../src/app/update.ts";
import { COLOR_STYLES } from "../../src/app/theme.ts";
import { view } from "../../src/app/view.ts";
import { helpContent } from "../../src/app/help.ts";
import { symbolsFor } from "../../src/tui/symbols.ts";
import { renderToGrid } from "../tui/support/grid.ts";
import { labState, snapshot, task } from "./support/lab_fixtures.ts";
import { run } from "./support/run.ts";

const BLOCKING = [
  task(1, "blocking", { group: "blocking", stateText: "waiting(join)" }),
  task(2, "a", { group: "blocking" }),
  task(3, "b", { group: "blocking" }),
  task(4, "busy", { group: "blocking" }),
];

const stuck = (taskId: number, forMs = 1400): AppEvent => ({
  type: "lab-stuck",
  stuck: { taskId, forMs },
});

/** The blocking demo's tasks, task #4 stuck for 1.4 s, nothing left to send. */
function stalled(): AppState {
  return { ...run(labState(BLOCKING), stuck(4)), outbox: [] };
}

function screen(state: AppState): string[] {
  return renderToGrid(
    (buf) => view(state, buf, { symbols: symbolsFor(true), styles: COLOR_STYLES }),
    80,
    23,
  );
}

Deno.test("while the lab is busy the panel says so in one line and marks its figures stale", () => {
  const rows = screen(stalled());
  assert(
    rows[2]!.startsWith("│ lab busy: task #4 busy has not yielded for 1.4 s; figures below are"),
    rows[2]!,
  );
  // The stuck task is running (the watchdog says so), whatever the last rows said.
  const busyRow = rows.find((r) => /^│ +4 busy/.test(r))!;
  assert(busyRow.includes("not yielding"), busyRow);
  const footer = rows.find((r) => r.includes("tasks 1-4 of 4"))!;
  assert(footer.includes("as of 1.4 s ago"), footer);
  assert(footer.includes(":restart-lab"), footer);
  // When it yields, the live figures are back.
  const live = screen(run(stalled(), { type: "lab-stuck", stuck: null }));
  assert(live[2]!.startsWith("│ live 4  ready 0"), live[2]!);
});

Deno.test("while the lab is busy the Overview shows the busy line and its figures as stale", () => {
  const overview = run(stalled(), "1");
  const text = screen(overview).join("\n");
  assert(text.includes("Coroutines  lab busy: task #4 busy has not yielded for 1.4 s"), text);
  assert(text.includes("stale: 4 live tasks, 1,234 switches/s"), text);
  // Wrapped, not cut: the demo's state is on the next line.
  assert(/^│ {13}running +│$/m.test(text), text);
  const live = screen(run(overview, { type: "lab-stuck", stuck: null })).join("\n");
  assert(live.includes("Coroutines  4 live tasks, 1,234 switches/s"), live);
  assert(!live.includes("stale"), live);
});

Deno.test("Ctrl-K on the task that never yields offers to restart the lab, saying what is lost", () => {
  const asked = run(stalled(), "j", "j", "j", "ctrl+k");
  assert(asked.overlay.kind === "confirm");
  assertEquals(asked.overlay.command, "restart-lab");
  assert(asked.overlay.message.includes("Task #4 'busy' has not yielded for 1.4 s"));
  assert(asked.overlay.message.includes("Every task ends and the demo's output is cleared"));
  const no = run(asked, "n");
  assertEquals([no.overlay.kind, no.restartLab], ["none", false]);
  assert(!no.outbox.some((c) => c.type === "kill-task"));

  const yes = run(asked, "y");
  assert(yes.restartLab, "asks the run loop for a fresh lab Worker");
  assertEquals(yes.coroutines.snapshot, undefined);
  assertEquals(yes.coroutines.stuck, undefined);
  assertEquals(yes.coroutines.output.size, 0);
  assertEquals(yes.coroutines.demos.length, 3, "the demo menu still works");
  assertEquals(yes.message?.text, "restarted the lab: its tasks and the demo's output are gone");
  // The fresh lab is told which rows to send; nothing is killed.
  assertEquals(yes.outbox.map((c) => c.type), ["set-view"]);

  // After the restart the panel works again: the new lab's snapshots show.
  const fresh = run(
    { ...yes, restartLab: false, outbox: [] },
    { type: "lab", message: { type: "hello", demos: yes.coroutines.demos.slice() } },
    { type: "lab", message: { type: "snapshot", snapshot: snapshot([]) } },
    "d",
  );
  assertEquals(fresh.overlay.kind, "demo-menu");
  assert(screen(fresh).join("\n").includes("live 0"));
});

Deno.test("Ctrl-K on another task while the lab is busy says the kill waits, and queues it", () => {
  const asked = run(stalled(), "j", "ctrl+k");
  assert(asked.overlay.kind === "confirm");
  assertEquals(asked.overlay.command, { type: "kill-task", id: 2 });
  assert(asked.overlay.message.includes("the kill applies when task #4 yields"));
  const yes = run(asked, "y");
  assert(yes.outbox.some((c) => c.type === "kill-task" && c.id === 2));
  assertEquals(yes.message, {
    text: "queued: the lab applies it when task #4 yields",
    level: "info",
  });
  // Not busy: the plain question, no note.
  const calm = run({ ...labState(BLOCKING), outbox: [] }, "j", "ctrl+k");
  assert(calm.overlay.kind === "confirm");
  assertEquals(calm.overlay.message, `Kill task #2 'a'? It ends as "killed".`);
  assertEquals(run(calm, "y").message, undefined);
});

Deno.test("keys on rows the busy lab has not sent yet get an answer instead of nothing", () => {
  // Ten rows, eight shown: the selection moves past the window the lab sent.
  const many = Array.from({ length: 10 }, (_, i) => task(i + 1, `t${i + 1}`));
  const state = {
    ...run(
      labState(many.slice(0, 8), {
        window: { ...snapshot(many).window, total: 10, rows: many.slice(0, 8) },
      }),
      stuck(3),
    ),
    outbox: [],
  };
  const moved = run(state, "end");
  assertEquals(moved.coroutines.selected, 9);
  for (const key of ["enter", "ctrl+k"]) {
    const answered = run(moved, key);
    assertEquals(answered.overlay.kind, "none");
    assertEquals(
      answered.message?.text,
      "lab busy: task #3 t3 has not yielded for 1.4 s: rows arrive when it yields",
    );
  }
});

Deno.test("Enter while the lab is busy says the detail comes when it yields, not another task's", () => {
  // The last snapshot carried task #1's detail; Enter on #2 must not show it as #2's.
  const withDetail = labState(BLOCKING, {
    selected: {
      task: BLOCKING[0]!,
      parent: null,
      children: [],
      childCount: 0,
      events: [],
      eventCount: 0,
      warnings: [],
      error: null,
      result: null,
      endReason: null,
    },
  });
  const opened = run({ ...withDetail, outbox: [] }, stuck(4), "j", "enter");
  assert(opened.coroutines.detail);
  const text = screen(opened).join("\n");
  assert(text.includes("waiting for the detail of task #2 a: the lab is busy"), text);
});

Deno.test("c and :clear ask the lab to forget finished tasks, and say what it did", () => {
  const byKey = run({ ...labState(), outbox: [] }, "c");
  assertEquals(byKey.outbox, [{ type: "clear-finished" }]);
  const byCommand = run({ ...labState(), panel: "overview", outbox: [] }, ":", ..."clear", "enter");
  assertEquals(byCommand.outbox.filter((c) => c.type !== "set-view"), [{ type: "clear-finished" }]);
  assertEquals(byCommand.panel, "coroutines");
  const replied = run(byKey, {
    type: "lab",
    message: {
      type: "reply",
      command: "clear-finished",
      ok: true,
      message: "cleared 3 finished tasks",
    },
  });
  assertEquals(replied.message, { text: "cleared 3 finished tasks", level: "info" });
  // While the lab is busy, the clear waits in its queue and the status line says so.
  const queued = run(stalled(), "c");
  assertEquals(queued.message?.text, "queued: the lab applies it when task #4 yields");
});

Deno.test(":restart-lab asks first; without a lab it says why", () => {
  const asked = run({ ...labState(), outbox: [] }, ":", ..."restart-lab", "enter");
  assert(asked.overlay.kind === "confirm");
  assertEquals(
    asked.overlay.message,
    "Restart the lab? Every task ends and the demo's output is cleared; the lab starts empty.",
  );
  assert(run(asked, "y").restartLab);
  const off = run({ ...labState(), lab: { status: "off" } }, ":", ..."restart-lab", "enter");
  assertEquals(off.overlay.kind, "none");
  assertEquals(off.message?.level, "error");
});

Deno.test("a new demo's main task comes into view below the finished tasks of earlier runs", () => {
  const old = Array.from(
    { length: 30 },
    (_, i) => task(i + 1, `old ${i + 1}`, { group: "gevent", state: "done", stateText: "done" }),
  );
  const page = old.slice(0, 8);
  const first = labState(page, {
    window: { ...snapshot(old).window, total: 30, rows: page },
    demo: { name: "gevent", state: "done", startedAtMs: 0, error: null },
  });
  const started = run({ ...first, outbox: [] }, ":", ..."demo blocking", "enter");
  assert(started.outbox.some((c) => c.type === "run-demo" && c.name === "blocking"));
  // A snapshot from before the lab ran the command changes nothing.
  const early = run(started, {
    type: "lab",
    message: {
      type: "snapshot",
      snapshot: snapshot(page, {
        window: { ...snapshot(old).window, total: 30, rows: page },
        demo: { name: "gevent", state: "done", startedAtMs: 0, error: null },
      }),
    },
  });
  assertEquals(early.coroutines.selected, 0);
  // The demo runs: its tasks are the newest, so the table goes to the end...
  const all = [
    ...old,
    ...BLOCKING.map((t) => ({ ...t, id: t.id + 30, parentId: t.parentId && 31 })),
  ];
  const demo = { name: "blocking", state: "running" as const, startedAtMs: 5000, error: null };
  const window = (offset: number) => ({
    ...snapshot(all).window,
    request: { ...snapshot(all).window.request, offset, limit: 8 },
    total: 34,
    rows: all.slice(offset, offset + 8),
  });
  const jumped = run({ ...early, outbox: [] }, {
    type: "lab",
    message: { type: "snapshot", snapshot: snapshot([], { window: window(0), demo }) },
  });
  assertEquals(jumped.coroutines.selected, 33);
  const asked = jumped.outbox.find((c) => c.type === "set-view");
  assert(asked?.type === "set-view");
  // ...and when that page arrives, the demo's main task is selected.
  const shown = run(jumped, {
    type: "lab",
    message: {
      type: "snapshot",
      snapshot: snapshot([], { window: window(asked.view.offset!), demo }),
    },
  });
  assertEquals(shown.coroutines.selected, 30);
  assertEquals(shown.coroutines.follow, undefined);
  // The page scrolls to the end (34 rows, 8 a page), so all the demo's tasks show.
  const top = shown.outbox.findLast((c) => c.type === "set-view");
  assert(top?.type === "set-view");
  assertEquals(top.view.offset, 26);
  assert(screen(shown).some((r) => /^│ *31 blocking/.test(r)));
});

Deno.test("the table scrolls only as far as the selection needs", () => {
  const many = Array.from({ length: 30 }, (_, i) => task(i + 1, `t${i + 1}`));
  const offsetAfter = (...keys: string[]) => {
    const state = run({
      ...labState(many.slice(0, 8), {
        window: { ...snapshot(many).window, total: 30, rows: many.slice(0, 8) },
      }),
      outbox: [],
    }, ...keys);
    const view = state.outbox.findLast((c) => c.type === "set-view");
    return view?.type === "set-view" ? view.view.offset : undefined;
  };
  // Past the bottom, the selection stays on the last row shown...
  const page = offsetAfter("pagedown", "pagedown");
  assert(page !== undefined && page > 0, String(page));
  // ...and moving back up inside the page does not scroll (it used to, one row per key).
  assertEquals(offsetAfter("pagedown", "pagedown", "k"), page);
  assertEquals(offsetAfter("end", "home"), 0);
});

Deno.test("the busy line names a stuck task off the page by its timeline lane", () => {
  const state = run(
    labState(BLOCKING.slice(0, 2), {
      lanes: {
        fromMs: 0,
        bucketMs: 500,
        buckets: 10,
        lanes: [{ id: 4, name: "busy", samples: "RRRR" }],
      },
    }),
    stuck(4),
  );
  assert(
    screen(state)[2]!.startsWith("│ lab busy: task #4 busy has not yielded"),
    screen(state)[2]!,
  );
});

Deno.test("? lists the new keys and commands: c, Ctrl-K's restart, :clear, :restart-lab", () => {
  const entries = helpContent(run(labState(), "?")).entries;
  const about = (key: string) => entries.find((e) => e.key === key)?.description ?? "";
  assert(about("c").includes("clear finished tasks"), about("c"));
  assert(about("Ctrl-K").includes("restart the lab"), about("Ctrl-K"));
  assert(about(":clear").includes("forget finished tasks"), about(":clear"));
  assert(about(":restart-lab").includes("start a fresh lab"), about(":restart-lab"));
});

Deno.test("a lab that failed says how to get a fresh one, and :restart-lab brings it back", () => {
  const failed = run(labState(), { type: "lab-failed", error: "boom" });
  const text = screen(failed).join("\n");
  assert(text.includes("the lab failed: boom (:restart-lab starts a fresh one)"), text);
  const restarted = run(failed, ":", ..."restart-lab", "enter", "y");
  assert(restarted.restartLab);
  assertEquals(restarted.lab, { status: "running" });
});
