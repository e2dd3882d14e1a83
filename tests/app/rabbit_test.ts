/**
 * The RabbitMQ panel as pure update() and view() over management API
 * fixtures: the overview line, the tables, sorting, filtering, switching
 * tables, the detail, the bindings of the selection, sparklines, help, and
 * the room of a large terminal.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { helpContent } from "../../src/app/help.ts";
import { type AppState, initialState } from "../../src/app/model.ts";
import { COLOR_STYLES } from "../../src/app/theme.ts";
import { view } from "../../src/app/view.ts";
import { symbolsFor } from "../../src/tui/symbols.ts";
import { renderToGrid } from "../tui/support/grid.ts";
import { rabbitData } from "./support/rabbit_fixtures.ts";
import { run } from "./support/run.ts";
import { initialBrokerStatus } from "../../src/app/broker_status.ts";

const theme = { symbols: symbolsFor(true), styles: COLOR_STYLES };

function draw(state: AppState): string[] {
  return renderToGrid((buf) => view(state, buf, theme), state.width, state.height);
}

function panel(width = 80, height = 22): AppState {
  return run(initialState({ panel: "rabbitmq", width, height }), {
    type: "rabbit",
    data: rabbitData(),
  });
}

const rowOf = (rows: string[], text: string) => rows.find((r) => r.includes(text)) ?? "";

Deno.test("the panel at 80x22: overview line, table row, queues with counts, bindings of the selection", () => {
  const rows = draw(panel());
  assertEquals(
    rows.slice(2, 4),
    [
      "│ RabbitMQ 3.13.7: 2 queues, 3 exchanges, 1 connection, 2 consumers; 3 ready,  │",
      "│ 1 unacked; publish 12.5/s, deliver 10.0/s                                    │",
    ],
  );
  assert(rows[4]!.startsWith("│ exchanges 3 │ queues 2 │ consumers 1 │ connections 1"), rows[4]!);
  assert(rows[5]!.includes("Name ▲") && rows[5]!.includes("Ready"), rows[5]!);
  // Sorted by name: hello, then task_queue (durable), with ready, unacked, consumers, in rate.
  assert(/│ hello +--- +0 +0 +0 +0\.0 +0\.0/.test(rows[6]!), rows[6]!);
  assert(/│ task_queue +D-- +3 +1 +2 +12\.5 +0\.0/.test(rows[7]!), rows[7]!);
  // The selection is hello: its one binding, from the default exchange.
  assert(rowOf(rows, "bindings of queue hello: 1"));
  assert(rowOf(rows, "(AMQP default) -> queue hello, key 'hello'"));
});

Deno.test("keys: Down selects, > sorts by the next column (biggest first), r reverses", () => {
  let state = run(panel(), "j");
  assert(rowOf(draw(state), "bindings of queue task_queue: 2"));
  assert(rowOf(draw(state), "topic_logs -> queue task_queue, key '*.orange.*'"));
  state = run(state, ">", ">"); // DEA, then Ready
  const rows = draw(state);
  assert(rows[5]!.includes("Ready ▼"), rows[5]!);
  assert(rows[6]!.includes("task_queue"), "3 ready before 0");
  state = run(state, "r");
  assert(draw(state)[6]!.includes("hello"));
});

Deno.test("keys: Right goes to the next table; exchanges show type, durable, bindings, rates", () => {
  const state = run(panel(), "h"); // queues -> exchanges
  const rows = draw(state);
  assert(rows[4]!.includes("exchanges 3"));
  assert(/│ \(AMQP default\) +direct +D +2 +0\.0 +0\.0/.test(rowOf(rows, "(AMQP default)")));
  assert(
    /topic_logs +topic +- +1 +4\.0 +8\.0/.test(rowOf(rows, "topic_logs")),
    rowOf(rows, "topic_logs"),
  );
  const consumers = draw(run(panel(), "l"));
  assert(
    /amq\.ctag-1 +task_queue +127\.0\.0\.1:5000 .*manual +1 │/.test(rowOf(consumers, "amq.ctag-1")),
  );
  const connections = draw(run(panel(), "l", "l"));
  assert(rowOf(connections, "channels of 127.0.0.1:5000 -> 127.0.0.1:5672: 1"));
});

Deno.test("/ filters the focused table's rows; Enter shows every field, Esc hides it", () => {
  const filtered = draw(run(panel(), "/", "t", "a", "s", "k", "enter"));
  assert(filtered[4]!.includes("queues 1"), filtered[4]!);
  assert(!rowOf(filtered, "│ hello"));
  const detail = draw(run(panel(), "enter"));
  assert(rowOf(detail, "vhost: /, name: hello, durable: false") && rowOf(detail, "ready: 0"));
  assert(!rowOf(draw(run(panel(), "enter", "escape")), "name: hello"));
});

Deno.test("each reading extends the queue's depth sparkline", () => {
  let state = panel();
  for (const ready of [1, 5, 9]) {
    state = run(state, { type: "rabbit", data: rabbitData([{ name: "hello", ready }]) });
  }
  // 0 (first reading), then 1, 5, 9: eighth blocks from low to full.
  assert(rowOf(draw(state), "│ hello").includes(" ▁▄█ "), rowOf(draw(state), "│ hello"));
  assertEquals(state.rabbit.history["//hello"], [0, 1, 5, 9]);
});

Deno.test("a large terminal gives the names room; 80 columns end them with an ellipsis", () => {
  const long = "a.queue.with.a.rather.long.name.for.the.lesson.one";
  const data = rabbitData([{ name: long, ready: 1 }]);
  const narrow = draw(
    run(initialState({ panel: "rabbitmq", width: 80, height: 22 }), { type: "rabbit", data }),
  );
  assert(
    !rowOf(narrow, "a.queue.with").includes(long) && rowOf(narrow, "a.queue.with").includes("…"),
  );
  const wide = draw(
    run(initialState({ panel: "rabbitmq", width: 160, height: 50 }), { type: "rabbit", data }),
  );
  assert(rowOf(wide, "a.queue.with").includes(long));
});

Deno.test("help lists the panel's keys; the Overview shows the broker's line", () => {
  const keys = helpContent(panel()).entries.map((e) => e.key);
  for (const key of ["Left Right h l", "< >", "r", "Enter"]) assert(keys.includes(key), key);
  const overview = draw(run(panel(), "1"));
  assert(rowOf(overview, "│ RabbitMQ    RabbitMQ 3.13.7: 2 queues"), overview.join("\n"));
});

Deno.test(":route KEY explains a topic exchange's bindings word by word; Esc clears it", () => {
  const state = run(panel(), ":", ..."route quick.orange.rabbit".split(""), "enter", "end");
  assertEquals(state.rabbit.table, "exchanges");
  const text = draw(state).slice(2, 21).map((r) => r.slice(2, -2).trim()).join(" ");
  assert(
    text.includes("key 'quick.orange.rabbit' through topic 'topic_logs': 1 of 1 bindings match"),
    text,
  );
  assert(
    text.includes(
      "match '*.orange.*' -> queue task_queue: '*' takes 'quick' (exactly one word); " +
        "'orange' equals 'orange'; '*' takes 'rabbit' (exactly one word)",
    ),
    text,
  );
  const miss = run(panel(), ":", ..."route lazy.brown.fox".split(""), "enter", "end");
  const missText = draw(miss).slice(2, 21).map((r) => r.slice(2, -2).trim()).join(" ");
  assert(missText.includes("0 of 1 bindings match"), missText);
  assert(missText.includes("word 2: 'brown' is not 'orange'"), missText);
  const cleared = run(state, "escape");
  assertEquals(cleared.rabbit.routeKey, undefined);
  assert(!draw(cleared).join("\n").includes("bindings match"));
});

Deno.test("p peeks at the selected queue: a request for the run loop, then its messages, said redelivered", () => {
  // Without a broker there is nothing to ask.
  assertEquals(run(panel(), "p").rabbit.peekRequest, undefined);
  const withBroker = run(panel(), {
    type: "broker",
    status: initialBrokerStatus("embedded", "amqp://guest:guest@127.0.0.1:1", "http://127.0.0.1:2"),
  });
  const asked = run(withBroker, "j", "p");
  assertEquals(asked.rabbit.peekRequest, { vhost: "/", queue: "task_queue" });
  assert(rowOf(draw(asked), "peeking at task_queue..."));
  const answered = run(asked, {
    type: "peek",
    result: {
      vhost: "/",
      queue: "task_queue",
      messages: [{
        routingKey: "task_queue",
        exchange: "",
        redelivered: true,
        body: "a..",
        bytes: 3,
      }],
    },
  });
  const text = draw(answered).slice(2, 21).map((r) => r.slice(2, -2).trim()).join(" ");
  assert(
    text.includes("peek of task_queue: 1 message(s), got and requeued, so now marked redelivered"),
    text,
  );
  assert(text.includes("1. key 'task_queue' from '(AMQP default)', redelivered, 3 B: a.."), text);
  assertEquals(run(answered, "escape").rabbit.peek, undefined);
});

Deno.test("a reading kept after the management API stopped answering is said stale", () => {
  const status = initialBrokerStatus("external", "amqp://h", "http://h:15672");
  const state = run(panel(), {
    type: "broker",
    status: { ...status, mgmt: { state: "unreachable", error: "no answer" } },
  });
  const rows = draw(state);
  assert(
    rows[2]!.includes("STALE (the management API stopped answering) RabbitMQ 3.13.7"),
    rows[2]!,
  );
  assert(!draw(panel())[2]!.includes("STALE"));
});

Deno.test("a wide terminal shows more of each queue's depth history", () => {
  let narrow = panel();
  let wide = panel(160, 40);
  for (let i = 1; i <= 20; i++) {
    const event = { type: "rabbit" as const, data: rabbitData([{ name: "hello", ready: i }]) };
    narrow = run(narrow, event);
    wide = run(wide, event);
  }
  const bars = (rows: string[]) => (rowOf(rows, "│ hello").match(/[▁▂▃▄▅▆▇█]/g) ?? []).length;
  assertEquals(bars(draw(narrow)), 10);
  assertEquals(bars(draw(wide)), 20);
});
