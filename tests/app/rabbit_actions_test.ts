/**
 * Purge and delete on the RabbitMQ panel as pure update() and view(): the
 * keys and commands ask first, `y` hands the action to the run loop, `n`
 * does nothing, the broker's answer is one line, RabbitMQ's own exchanges
 * are refused, and `--read-only` refuses every action that changes the
 * broker with one line while the status bar says `read-only`.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { initialBrokerStatus } from "../../src/app/broker_status.ts";
import { helpContent } from "../../src/app/help.ts";
import { type AppState, initialState } from "../../src/app/model.ts";
import { COLOR_STYLES } from "../../src/app/theme.ts";
import { view } from "../../src/app/view.ts";
import { symbolsFor } from "../../src/tui/symbols.ts";
import {
  BROKER_CHANGING_COMMANDS,
  isBrokerChanging,
  refuseCommandLine,
} from "../../src/app/read_only.ts";
import { renderToGrid } from "../tui/support/grid.ts";
import { rabbitData } from "./support/rabbit_fixtures.ts";
import { mqState, topicPart } from "./support/mq_fixtures.ts";
import { run } from "./support/run.ts";

const theme = { symbols: symbolsFor(true), styles: COLOR_STYLES };
const draw = (state: AppState) =>
  renderToGrid((buf) => view(state, buf, theme), state.width, state.height);
const screenText = (state: AppState) => draw(state).join("\n");
/** The confirm dialog's text, its rows joined, to read its sentences as a person does. */
const prose = (state: AppState) =>
  draw(state).filter((r) => r.includes("┃"))
    .map((r) => r.slice(r.indexOf("┃") + 1, r.lastIndexOf("┃")).trim())
    .join(" ").replace(/\s+/g, " ").trim();

function panel(readOnly = false): AppState {
  const state = initialState({ panel: "rabbitmq", width: 80, height: 22, readOnly });
  const broker = initialBrokerStatus("embedded", "amqp://127.0.0.1:5999", "http://127.0.0.1:15999");
  return run(
    { ...state, broker: { ...broker, amqp: { state: "up" }, mgmt: { state: "ok" } } },
    { type: "rabbit", data: rabbitData() },
  );
}

const type = (text: string) => [":", ...text.split(""), "enter"];

Deno.test("P on the selected queue asks first; n does nothing, y asks the run loop to purge", () => {
  const asked = run(panel(), "j", "P"); // task_queue: 3 ready, 1 unacked
  assertEquals(asked.overlay.kind, "confirm");
  const question = prose(asked);
  assert(
    question.includes(
      "Purge queue 'task_queue'? It deletes its 3 ready messages; those delivered and not yet " +
        "acknowledged stay.",
    ),
    question,
  );
  assert(question.includes("[y] yes [n] no"), question);
  const no = run(asked, "n");
  assertEquals([no.overlay.kind, no.rabbit.actionRequest], ["none", undefined]);
  const yes = run(asked, "y");
  assertEquals(yes.overlay.kind, "none");
  assertEquals(yes.rabbit.actionRequest, { op: "purge", vhost: "/", name: "task_queue" });
  assertEquals(yes.message?.text, "purging queue 'task_queue'...");
});

Deno.test("D deletes the selected queue or exchange after a question; not amq.* nor the default", () => {
  const queue = run(panel(), "j", "D");
  assert(
    prose(queue).includes(
      "Delete queue 'task_queue'? It loses 4 messages and cancels 2 consumers.",
    ),
    prose(queue),
  );
  assertEquals(run(queue, "y").rabbit.actionRequest, {
    op: "delete-queue",
    vhost: "/",
    name: "task_queue",
  });
  // Exchanges sort by name: (AMQP default), amq.fanout, topic_logs.
  const topic = run(panel(), "h", "end", "D");
  assert(
    prose(topic).includes(
      "Delete exchange 'topic_logs'? It removes 1 binding; publishing to it then fails with 404.",
    ),
    prose(topic),
  );
  for (const [keys, shown] of [[["home"], "(AMQP default)"], [["j"], "'amq.fanout'"]] as const) {
    const refused = run(panel(), "h", ...keys, "D");
    assertEquals(refused.overlay.kind, "none");
    assertEquals(refused.message, {
      text: `cannot delete exchange ${shown}: the default exchange and amq.* belong to the ` +
        "broker (RabbitMQ refuses too)",
      level: "error",
    });
  }
  const purgeExchange = run(panel(), "h", "P");
  assertEquals(purgeExchange.message?.text, "P purges a queue: select one in the queues table");
});

Deno.test(":purge QUEUE and :delete queue|exchange NAME ask the same questions; bad input is one line", () => {
  const purge = run(run(panel(), "1"), ...type("purge hello"));
  assertEquals(purge.panel, "rabbitmq");
  assert(prose(purge).includes("Purge queue 'hello'? It deletes its 0 ready messages"));
  const del = run(panel(), ...type("delete exchange topic_logs"), "y");
  assertEquals(del.rabbit.actionRequest, { op: "delete-exchange", vhost: "/", name: "topic_logs" });
  // A name the panel has not seen still goes to the broker, which answers (404).
  const unknown = run(panel(), ...type("delete queue nope"));
  assert(prose(unknown).includes("Delete queue 'nope'? It loses its messages"));
  assertEquals(run(panel(), ...type("delete exchange amq.topic")).message?.level, "error");
  assertEquals(
    run(panel(), ...type("delete binding x")).message?.text,
    "usage: :delete queue|exchange NAME",
  );
  assertEquals(run(panel(), ...type("purge")).message?.text, "usage: :purge QUEUE");
  const noBroker = run(
    initialState({ panel: "rabbitmq", width: 80, height: 22 }),
    ...type("purge hello"),
  );
  assertEquals(noBroker.message?.text, ":purge works in the live dashboard, on its broker");
});

Deno.test("the broker's answer is one line: done, or its refusal (404, 403 ...)", () => {
  const action = { op: "purge" as const, vhost: "/", name: "hello" };
  const done = run(panel(), { type: "rabbit-done", result: { action, ok: true } });
  assertEquals(done.message, { text: "purged queue 'hello'", level: "info" });
  const failed = run(panel(), {
    type: "rabbit-done",
    result: {
      action: { op: "delete-queue", vhost: "v1", name: "gone" },
      ok: false,
      error: "HTTP 404: Not Found",
    },
  });
  assertEquals(failed.message, {
    text: "could not delete queue 'gone' in vhost 'v1': HTTP 404: Not Found",
    level: "error",
  });
  assert(screenText(failed).includes("could not delete queue 'gone'"));
});

Deno.test("--read-only: purge and delete are refused with one line; the status bar says read-only", () => {
  const state = panel(true);
  const bar = draw(state).at(-1)!;
  assert(bar.includes("read-only │ embedded"), bar);
  for (const keys of [["P"], ["j", "D"], ["h", "end", "D"], type("purge hello")]) {
    const refused = run(state, ...keys);
    assertEquals(refused.overlay.kind, "none", keys.join(" "));
    assertEquals(refused.rabbit.actionRequest, undefined);
    assert(
      refused.message?.text.startsWith("read-only mode is on (--read-only): :"),
      String(refused.message?.text),
    );
  }
  assertEquals(
    run(state, ...type("delete queue hello")).message?.text,
    "read-only mode is on (--read-only): :delete would change the broker, so it is disabled",
  );
  // Everything that only reads still works.
  assertEquals(run(state, "j").rabbit.selected.queues, 1);
  assertEquals(run(state, "p").rabbit.peekRequest, { vhost: "/", queue: "hello" });
});

Deno.test("isBrokerChanging(): the command names and the actors' lab commands that change the broker", () => {
  assertEquals(BROKER_CHANGING_COMMANDS, [
    "purge",
    "delete",
    "publish",
    "subscribe",
    "worker",
    "rpc-server",
    "rpc",
    "scenario",
  ]);
  for (const name of ["route", "stop", "serve", "load", "panel"]) {
    assert(!isBrokerChanging(name), name);
  }
  assert(
    isBrokerChanging({ type: "mq-publish", options: { exchange: "", routingKey: "q", body: "" } }),
  );
  assert(isBrokerChanging({ type: "mq-scenario", name: "topic" }));
  assert(!isBrokerChanging({ type: "mq-stop" }));
  assert(!isBrokerChanging({ type: "serve", model: "multiplexed" }));
  assertEquals(refuseCommandLine(false, "purge hello"), undefined);
  assertEquals(refuseCommandLine(true, "route a.b"), undefined);
  assertEquals(refuseCommandLine(true, "purge hello")?.level, "error");
});

Deno.test("help lists P, D, :purge and :delete on the RabbitMQ panel", () => {
  const keys = helpContent(panel()).entries.map((e) => e.key);
  for (const key of ["P", "D", ":purge QUEUE", ":delete queue|exchange NAME"]) {
    assert(keys.includes(key), key);
  }
});

Deno.test("--read-only: the actors' commands, keys and scenario menu are refused, nothing reaches the lab", () => {
  const watching = { ...mqState(topicPart()), readOnly: true };
  const attempts: [string, string[]][] = [
    [":scenario", type("scenario topic")],
    [":rpc", type("rpc 30")],
    [":rpc-server", type("rpc-server")],
    [":publish", type("publish logs info hello")],
    [":scenario", ["a", "s", "enter"]],
  ];
  for (const [name, keys] of attempts) {
    const after = run(watching, ...keys);
    const sent = after.outbox.slice(watching.outbox.length);
    assertEquals(sent, [], `${keys.join(" ")} sent ${JSON.stringify(sent)}`);
    assertEquals(
      after.message?.text,
      `read-only mode is on (--read-only): ${name} would change the broker, so it is disabled`,
    );
  }
  // Stopping the dashboard's own actors changes nothing on the broker it watches.
  const stopped = run(watching, ...type("stop actors"));
  assertEquals(stopped.outbox.slice(watching.outbox.length), [{ type: "mq-stop" }]);
});
