import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { type AppState, initialState } from "../../src/app/model.ts";
import type { TaskRow } from "../../src/lab/protocol.ts";
import { stuckTask } from "../../src/app/coroutines.ts";
import { COLOR_STYLES } from "../../src/app/theme.ts";
import { view } from "../../src/app/view.ts";
import { symbolsFor } from "../../src/tui/symbols.ts";
import { renderToGrid } from "../tui/support/grid.ts";
import { run } from "./support/run.ts";
import { labState, snapshot, task } from "./support/lab_fixtures.ts";

Deno.test("coroutines view draws the hub header, the task rows and the demo output", () => {
  const state = labState();
  const rows = renderToGrid(
    (buf) => view(state, buf, { symbols: symbolsFor(true), styles: COLOR_STYLES }),
    80,
    24,
  );
  assertEquals(
    rows[2],
    "│ live 2  ready 0  switches/s 1,234  lag 2ms                                   │",
  );
  assertEquals(
    rows[3],
    "│   id ▲ name       group   state          switches  busy%   wait    age  warn │",
  );
  assertEquals(
    rows[4],
    "│      1 gevent     gevent  waiting(join)         2      1   99ms   1.5s       │",
  );
  assertEquals(
    rows[5],
    "│      2 func1      gevent  waiting(sleep)        2      1   99ms   1.5s       │",
  );
  assert(rows[12]!.startsWith("│ tasks 1-2 of 2, by id "), rows[12]!);
  const text = rows.join("\n");
  assert(/demo gevent: running\s+│\n.*12\s+│\n.*56\s+│/.test(text), text);
});

Deno.test("coroutines panel asks the lab for the rows it shows", () => {
  const state = labState();
  const views = state.outbox.filter((c) => c.type === "set-view");
  assert(views.length >= 1, "a set-view was sent when the lab started");
  const last = views.at(-1)!;
  assert(last.type === "set-view");
  assertEquals(last.view.sort, "id");
  assertEquals(last.view.limit, 8);
  // Moving the selection to the second row names that task.
  const moved = run({ ...state, outbox: [] }, "down");
  const sent = moved.outbox.at(-1);
  assert(sent?.type === "set-view");
  assertEquals(sent.view.selectedId, 2);
  // s sorts by the next column; the lab is asked for that order.
  const sorted = run({ ...state, outbox: [] }, "s");
  const sortView = sorted.outbox.at(-1);
  assert(sortView?.type === "set-view");
  assertEquals(sortView.view.sort, "name");
  // Nothing changed, nothing sent.
  assertEquals(run({ ...state, outbox: [] }, { type: "resize", width: 80, height: 24 }).outbox, []);
});

Deno.test("d opens the demo menu and Enter runs the chosen demo (the third: gevent)", () => {
  const menu = run({ ...labState(), outbox: [] }, "d");
  assertEquals(menu.overlay, { kind: "demo-menu", selected: 0 });
  const started = run(menu, "down", "down", "enter");
  assertEquals(started.overlay.kind, "none");
  assert(started.outbox.some((c) => c.type === "run-demo" && c.name === "gevent"));
});

Deno.test(":demo NAME runs a demo, completes names and rejects unknown ones", () => {
  const ran = run({ ...labState(), outbox: [] }, ":", ..."demo baozi", "enter");
  assert(ran.outbox.some((c) => c.type === "run-demo" && c.name === "baozi"));
  const completed = run(labState(), ":", ..."demo ge", "tab");
  assert(completed.overlay.kind === "command");
  assertEquals(completed.overlay.line.input.value, "demo gevent ");
  const unknown = run(labState(), ":", ..."demo nope", "enter");
  assertEquals(unknown.message?.text, "no demo 'nope' (demos: baozi, blocking, gevent)");
});

Deno.test("j and k move the selection as in k9s and lazygit; k never kills", () => {
  const down = run({ ...labState(), outbox: [] }, "j");
  assertEquals(down.coroutines.selected, 1);
  const up = run(down, "k");
  assertEquals(up.coroutines.selected, 0);
  assertEquals(up.overlay.kind, "none");
  assert(!up.outbox.some((c) => c.type === "kill-task"));
});

Deno.test("Ctrl-K asks before killing the selected task; only y sends the kill", () => {
  const asked = run({ ...labState(), outbox: [] }, "ctrl+k");
  assert(asked.overlay.kind === "confirm");
  assert(asked.overlay.message.includes("#1 'gevent'"));
  const no = run(asked, "n");
  assertEquals(no.overlay.kind, "none");
  assert(!no.outbox.some((c) => c.type === "kill-task"));
  const yes = run(asked, "y");
  assert(yes.outbox.some((c) => c.type === "kill-task" && c.id === 1));
});

Deno.test("space pauses the display: later snapshots do not replace the shown one", () => {
  const paused = run(labState(), " ");
  assert(paused.coroutines.paused);
  const after = run(paused, {
    type: "lab",
    message: { type: "snapshot", snapshot: snapshot([task(7, "other")]) },
  });
  assertEquals(after.coroutines.snapshot?.window.rows.map((r) => r.id), [1, 2]);
});

Deno.test("without a running lab, d says why instead of opening an empty menu", () => {
  const state = run(initialState({ panel: "coroutines" }), "d");
  assertEquals(state.overlay.kind, "none");
  assertEquals(state.message?.level, "error");
  assert(state.message?.text.includes("the lab is not running"));
});

Deno.test("stuckTask() reads the lab's watchdog: a step over a second names its task", () => {
  const watchdog = new Float64Array([10_000, 4]);
  assertEquals(stuckTask(watchdog, 10_900), null);
  assertEquals(stuckTask(watchdog, 11_350), { taskId: 4, forMs: 1300 });
  assertEquals(stuckTask(new Float64Array([10_000, 0]), 20_000), null);
});

Deno.test("a stuck task replaces the hub header with the busy line", () => {
  const state = run(labState(), { type: "lab-stuck", stuck: { taskId: 2, forMs: 1400 } });
  const rows = renderToGrid(
    (buf) => view(state, buf, { symbols: symbolsFor(true), styles: COLOR_STYLES }),
    80,
    24,
  );
  assert(
    rows[2]!.startsWith(
      "│ lab busy: task #2 func1 has not yielded for 1.4 s; figures below are stale",
    ),
    rows[2]!,
  );
  const cleared = run(state, { type: "lab-stuck", stuck: null });
  assertEquals(cleared.coroutines.stuck, undefined);
});

Deno.test("the detail view says how long a task has been waiting, or how long ago it ended", () => {
  const detailOf = (row: TaskRow) => {
    let state = run(labState(), "enter");
    assert(state.coroutines.detail, "Enter opens the detail");
    state = run(state, {
      type: "lab",
      message: {
        type: "snapshot",
        snapshot: snapshot([row], {
          seq: 2,
          selected: {
            task: row,
            parent: null,
            children: [],
            childCount: 0,
            events: [],
            eventCount: 0,
            warnings: [],
            error: null,
            endReason: null,
            result: null,
          },
        }),
      },
    });
    const rows = renderToGrid(
      (buf) => view(state, buf, { symbols: symbolsFor(true), styles: COLOR_STYLES }),
      80,
      24,
    );
    return rows[4]!;
  };
  assert(detailOf(task(1, "gevent", { stateForMs: 1500 })).includes("waiting(sleep) for 1.5s"));
  const done = task(1, "gevent", { state: "done", stateText: "done", stateForMs: 1700 });
  assert(detailOf(done).includes("state done 1.7s ago"), detailOf(done));
});

Deno.test("the demo menu shows the selected demo's whole description under the list", () => {
  const long = "one task busy-waits 2 s: everyone's timers fire late and the warning appears";
  let state = run(labState(), {
    type: "lab",
    message: {
      type: "hello",
      demos: [
        { name: "baozi", description: "hand-off" },
        { name: "gevent", description: "switching on sleep" },
        { name: "blocking", description: long },
      ],
    },
  });
  state = run(state, "d", "down", "down");
  const rows = renderToGrid(
    (buf) => view(state, buf, { symbols: symbolsFor(true), styles: COLOR_STYLES }),
    80,
    24,
  );
  const text = rows.join("\n");
  assert(text.includes("▶ blocking"), text);
  const wrapped = rows.filter((r) => r.includes("everyone's timers fire late"));
  assert(wrapped.some((r) => !r.includes("…")), `the description is shown whole:\n${text}`);
});

/** The panel after a snapshot showing baozi's demo in `state`. */
function withBaozi(state: "running" | "done"): AppState {
  return run(labState(), {
    type: "lab",
    message: {
      type: "snapshot",
      snapshot: snapshot([task(1, "baozi")], {
        demo: { name: "baozi", state, startedAtMs: 0, error: null },
      }),
    },
  });
}

Deno.test("starting a demo while another runs says it stopped the first; otherwise no sticky status", () => {
  const switched = run(withBaozi("running"), ":", ..."demo gevent", "enter");
  assertEquals(switched.message, { text: "stopped demo baozi to start gevent", level: "info" });
  assert(switched.outbox.some((c) => c.type === "run-demo" && c.name === "gevent"));
  // A finished demo is not "running" in the status line once the next one starts.
  const idle = run(withBaozi("done"), ":", ..."demo gevent", "enter");
  assertEquals(idle.message, undefined);
});

Deno.test("a crash in the lab shows on the status line as an error, like a failed reply", () => {
  const state = run(labState(), {
    type: "lab",
    message: { type: "lab-error", message: "boom in the lab" },
  });
  assertEquals(state.message, { text: "lab error: boom in the lab", level: "error" });
  assertEquals(state.lab.status, "running", "the lab keeps running");
});

Deno.test("< and > sort by the neighbouring column and the selected task stays selected", () => {
  const selected = run(labState(), "j"); // func1, the second row
  const sorted = run(selected, ">");
  assertEquals(sorted.coroutines.sort, "name");
  assertEquals(sorted.coroutines.anchorId, 2, "the lab is asked where task #2 went");
  assert(sorted.outbox.some((c) => c.type === "set-view" && c.view.anchorId === 2));
  // The lab answers: in the new order, task #2 is the first row.
  const reordered = snapshot([task(2, "func1"), task(1, "gevent")], {
    window: {
      request: { ...snapshot([]).window.request, sort: "name", anchorId: 2 },
      total: 2,
      rows: [task(2, "func1"), task(1, "gevent")],
      anchorIndex: 0,
    },
  });
  const followed = run(sorted, { type: "lab", message: { type: "snapshot", snapshot: reordered } });
  assertEquals(followed.coroutines.selected, 0);
  assertEquals(followed.coroutines.anchorId, undefined);
  assertEquals(run(followed, "<").coroutines.sort, "id");
});

Deno.test("the detail shows the task's own timeline and scrolls when it is taller than the panel", () => {
  const row = task(1, "blocker", { stateForMs: 1500 });
  const warning = {
    kind: "blocking" as const,
    taskId: 1,
    taskName: "blocker",
    atMs: 0,
    valueMs: 2000,
    summary: "blocked the hub for 2.0s",
    count: 1,
    explanation: "All tasks share one thread: while one runs without yielding, every other task " +
      "waits, timers fire late and the whole program stalls. Yield (sleep, wait) inside long work.",
  };
  const detail = {
    task: row,
    parent: null,
    children: [],
    childCount: 0,
    events: Array.from(
      { length: 16 },
      (_, i) => ({ atMs: i * 100, state: "ready" as const, text: "ready" }),
    ),
    eventCount: 16,
    warnings: [warning],
    error: null,
    result: null,
    endReason: null,
  };
  let state = run(labState(), "enter");
  state = run(state, {
    type: "lab",
    message: {
      type: "snapshot",
      snapshot: snapshot([row], {
        seq: 2,
        selected: detail,
        lanes: {
          fromMs: 0,
          bucketMs: 1000,
          buckets: 5,
          lanes: [{ id: 1, name: "blocker", samples: "RRwwR" }],
        },
      }),
    },
  });
  const draw = (s: AppState) =>
    renderToGrid((buf) => view(s, buf, { symbols: symbolsFor(true), styles: COLOR_STYLES }), 80, 22)
      .join("\n");
  const top = draw(state);
  assert(top.includes("timeline, last 5.0s"), top);
  // Back in the table, the selected task's lane is the pinned one, marked.
  const table = draw(run(state, "escape"));
  assert(/▶blocker\s+██··█/.test(table), table);
  assert(top.includes("██··█"), top);
  assert(top.includes("more below"), top);
  // Every word of the explanation is on screen once scrolled: wrapped, not cut.
  const bottom = draw(run(state, "end"));
  assert(bottom.includes("more above"), bottom);
  const words = (top + "\n" + bottom).split(/[\s│]+/);
  for (const word of warning.explanation.split(" ")) {
    assert(words.includes(word), `'${word}' is cut`);
  }
});
