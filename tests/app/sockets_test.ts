/**
 * The Sockets panel as pure functions: what it draws at 80x22 and on a large
 * terminal, its commands and keys, what it asks the lab for, the paused
 * stream, the comparison table and the Overview's lines.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { type AppState } from "../../src/app/model.ts";
import { COLOR_STYLES } from "../../src/app/theme.ts";
import { view } from "../../src/app/view.ts";
import { helpContent } from "../../src/app/help.ts";
import { symbolsFor } from "../../src/tui/symbols.ts";
import type { LabCommand, SocketsSnapshot } from "../../src/lab/protocol.ts";
import { renderToGrid } from "../tui/support/grid.ts";
import { snapshot } from "./support/lab_fixtures.ts";
import { run } from "./support/run.ts";
import { event, socketsPart, socketsState } from "./support/sockets_fixtures.ts";

const theme = { symbols: symbolsFor(true), styles: COLOR_STYLES };

function draw(state: AppState): string[] {
  return renderToGrid((buf) => view(state, buf, theme), state.width, state.height);
}

function receive(state: AppState, part: SocketsSnapshot): AppState {
  return run(state, {
    type: "lab",
    message: { type: "snapshot", snapshot: snapshot([], { sockets: part }) },
  });
}

function command(state: AppState, line: string): AppState {
  return run(state, ":", ...line.split(""), "enter");
}

const sent = (state: AppState, type: LabCommand["type"]) =>
  state.outbox.filter((c) => c.type === type);

Deno.test("the Sockets panel at 80x22 shows servers, the load, connections, events and latency", () => {
  const rows = draw(socketsState(socketsPart(), { width: 80, height: 22 }));
  const text = rows.join("\n");
  for (
    const expected of [
      "multiplexed:8001 (epoll)",
      "12,345",
      "98.8 kB/s",
      "42%",
      "load running on :8001: 100/100 connected",
      "READABLE 580/s",
      "connections 1-4 of 100",
      "127.0.0.1:40001",
      "12:00:02.123 #1 fd 11 READABLE",
      "latency (load)",
    ]
  ) assert(text.includes(expected), `missing ${expected}:\n${text}`);
  assertEquals(rows.length, 22);
});

Deno.test("a large terminal gives the latency histogram a column and shows every bucket", () => {
  const rows = draw(socketsState(socketsPart(), { width: 140, height: 40 }));
  const text = rows.join("\n");
  for (const bucket of ["<500us", "<1.0ms", "<2.0ms", "<4.0ms", "<8.0ms"]) {
    assert(text.includes(bucket), `missing ${bucket}:\n${text}`);
  }
});

Deno.test(":serve, :load, :stop and :compare send their lab commands and show the panel", () => {
  let state: AppState = { ...socketsState(), panel: "overview" };
  state = command(state, "serve multiplexed 9000");
  assertEquals(state.panel, "sockets");
  assertEquals(sent(state, "serve"), [{ type: "serve", model: "multiplexed", port: 9000 }]);
  state = command(state, "load 50 --size 64 --rate 200");
  assertEquals(sent(state, "load"), [{ type: "load", connections: 50, size: 64, ratePerS: 200 }]);
  state = command(state, "stop");
  assertEquals(sent(state, "stop-socket"), [{ type: "stop-socket" }]);
  state = command(state, "compare");
  assertEquals(sent(state, "compare"), [{ type: "compare", connections: 100 }]);
  assert(state.sockets.showCompare);
});

Deno.test("bad sockets commands say what is wrong and send nothing", async (t) => {
  const cases: [string, RegExp][] = [
    ["serve", /^usage: :serve MODEL \[PORT\]/],
    ["serve fast", /^no model 'fast' \(models: blocking, nonblocking, multiplexed, async\)/],
    ["serve async 70000", /^bad port '70000'/],
    ["load", /^usage: :load N/],
    ["load 20000", /^usage: :load N/],
    ["load 10 --size", /^usage: :load N/],
    ["compare x", /^usage: :compare \[N\]/],
  ];
  for (const [line, message] of cases) {
    await t.step(line, () => {
      const state = command(socketsState(), line);
      assert(message.test(state.message?.text ?? ""), state.message?.text ?? "no message");
      assertEquals(state.message?.level, "error");
      assertEquals(state.outbox.filter((c) => !c.type.endsWith("view")), []);
    });
  }
});

Deno.test("Tab completes model names after :serve and server names after :stop", () => {
  const serve = run(socketsState(), ":", ..."serve mu".split(""), "tab");
  assertEquals(
    serve.overlay.kind === "command" && serve.overlay.line.input.value,
    "serve multiplexed ",
  );
  const stop = run(socketsState(), ":", ..."stop m".split(""), "tab");
  assertEquals(
    stop.overlay.kind === "command" && stop.overlay.line.input.value,
    "stop multiplexed:8001 ",
  );
});

Deno.test("j selects a connection, Enter filters the events to it, and the lab is asked for them", () => {
  const state = run(socketsState(), "j", "enter");
  assertEquals(state.sockets.selected, 1);
  assertEquals(state.filters.sockets, "#2");
  const view = state.outbox.filter((c) => c.type === "sockets-view").at(-1);
  assert(view?.type === "sockets-view");
  assertEquals([view.view.conn, view.view.kinds], [2, []]);
  assert(draw(state)[1]!.includes("filter: #2"));
});

Deno.test("the / filter takes kind names and #N; other words are named, not silently dropped", () => {
  const state = run(socketsState(), "/", ..."readable #3 foo".split(""), "enter");
  const view = state.outbox.filter((c) => c.type === "sockets-view").at(-1);
  assert(view?.type === "sockets-view");
  assertEquals([view.view.kinds, view.view.conn], [["READABLE"], 3]);
  assert(draw(state).join("\n").includes("not a kind: foo"));
});

Deno.test("Space pauses the stream: new events are counted, not shown, until it resumes", () => {
  let state = run(socketsState(), "space");
  assert(state.sockets.paused);
  state = receive(state, socketsPart({ events: { rows: [event(4, "WRITE", 1)], dropped: 0 } }));
  let text = draw(state).join("\n");
  assert(text.includes("events PAUSED (Space resumes)  1 not shown"), text);
  assert(!text.includes("fd 11 WRITE"), text);
  state = receive(
    run(state, "space"),
    socketsPart({ events: { rows: [event(5, "CLOSE", 1)], dropped: 0 } }),
  );
  text = draw(state).join("\n");
  assert(text.includes("fd 11 CLOSE"), text);
});

Deno.test("keys write the commands on the : line; n shows the next server", () => {
  for (
    const [key, text] of [["s", "serve "], ["l", "load 100"], ["x", "stop"], ["c", "compare 100"]]
  ) {
    const state = run(socketsState(), key!);
    assert(state.overlay.kind === "command");
    assertEquals(state.overlay.line.input.value, text);
  }
  const two = socketsPart();
  two.servers = [...two.servers, {
    ...two.servers[0]!,
    name: "async:8002",
    model: "async",
    port: 8002,
  }];
  const state = run(socketsState(two), "n");
  assertEquals(state.sockets.server, "async:8002");
  const view = state.outbox.filter((c) => c.type === "sockets-view").at(-1);
  assert(view?.type === "sockets-view" && view.view.server === "async:8002");
});

Deno.test("the comparison table shows each model's row and its reading, whole", () => {
  const compare = {
    state: "done" as const,
    connections: 100,
    error: null,
    rows: [
      {
        model: "blocking",
        roundTripsPerS: 900,
        p50Ms: 50,
        p99Ms: 110,
        mostAtOnce: 1,
        busy: null,
        errors: 0,
        reading: "serves one connection at a time: the others wait in the listen backlog",
      },
      {
        model: "multiplexed",
        roundTripsPerS: 40000,
        p50Ms: 1.5,
        p99Ms: 4,
        mostAtOnce: 100,
        busy: 0.6,
        errors: 0,
        reading: "one thread serves all 100 at once, woken only by ready sockets",
      },
      {
        model: "nonblocking",
        roundTripsPerS: 16251,
        p50Ms: 1.47,
        p99Ms: 12.8,
        mostAtOnce: 100,
        busy: 0.98,
        errors: 0,
        reading:
          "serves everyone from one thread but burns CPU polling: 2,235 EAGAINs, loop busy 98%",
      },
      {
        model: "async",
        roundTripsPerS: 15931,
        p50Ms: 2.56,
        p99Ms: 8.7,
        mostAtOnce: 100,
        busy: 0,
        errors: 0,
        reading: "serves everyone (100 at once) from one thread, one coroutine per connection " +
          "(here that thread runs the load's clients too)",
      },
    ],
  };
  // at 80x22 (tmux), every reading is read whole
  const state = run(socketsState(socketsPart({ compare }), { width: 80, height: 22 }), "t");
  const text = draw(state).join("\n");
  for (
    const expected of [
      "comparison, 100 connections each",
      "blocking",
      "40,000",
      "blocking: serves one connection at a time: the others wait in the listen",
      "multiplexed: one thread serves all 100 at once, woken only by ready sockets",
      "loop busy 98%",
      "async: serves everyone (100 at once) from one thread, one coroutine per",
      "connection",
    ]
  ) assert(text.includes(expected), `missing ${expected}:\n${text}`);
  assert(!run(state, "escape").sockets.showCompare);
});

Deno.test("the Overview has one line per server and one for the load", () => {
  const state = { ...socketsState(), panel: "overview" as const };
  const text = draw(state).join("\n");
  assert(text.includes("Sockets     multiplexed:8001 (epoll) 100 connections 12,345 rt/s"), text);
  assert(text.includes("load running on :8001: 100/100 connected"), text);
});

Deno.test("help on the Sockets panel lists its keys and the sockets commands", () => {
  const entries = helpContent(socketsState()).entries.map((e) => e.key);
  for (
    const key of [
      "Space",
      "[ ]  f",
      ":serve MODEL [PORT]",
      ":load N [--size B] [--rate R]",
      ":stop [NAME]",
      ":compare [N]",
    ]
  ) {
    assert(entries.includes(key), `missing ${key}`);
  }
});

Deno.test("a successful sockets reply is shown; the lab's one line when it fails", () => {
  const ok = run(socketsState(), {
    type: "lab",
    message: {
      type: "reply",
      command: "serve",
      ok: true,
      message: "serving async on 127.0.0.1:8001",
    },
  });
  assertEquals(ok.message, { text: "serving async on 127.0.0.1:8001", level: "info" });
  const failed = run(socketsState(), {
    type: "lab",
    message: { type: "reply", command: "serve", ok: false, message: "cannot listen: port in use" },
  });
  assertEquals(failed.message?.level, "error");
});
