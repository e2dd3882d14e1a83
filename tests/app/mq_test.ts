/**
 * The RabbitMQ actors, app side, against a fake lab: the commands' parsing
 * (good and bad input), what each sends, where `:stop NAME` goes, the keys
 * and the scenario menu, the lab's replies on the status line, and what the
 * panel draws at 80x22 and on a large terminal from fake `mq` snapshots.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import type { AppState } from "../../src/app/model.ts";
import { COLOR_STYLES } from "../../src/app/theme.ts";
import { view } from "../../src/app/view.ts";
import { helpContent } from "../../src/app/help.ts";
import { runCommandLine } from "../../src/app/commands.ts";
import { parsePublish } from "../../src/app/mq_commands.ts";
import { LOG_KEEP } from "../../src/app/mq.ts";
import { ScreenBuffer } from "../../src/tui/buffer.ts";
import { symbolsFor } from "../../src/tui/symbols.ts";
import type { LabCommand, MqCommand } from "../../src/lab/protocol.ts";
import { renderToGrid } from "../tui/support/grid.ts";
import { run } from "./support/run.ts";
import {
  actor,
  call,
  mqSnapshotEvent,
  mqState,
  rpcPart,
  topicPart,
} from "./support/mq_fixtures.ts";
import { socketsPart } from "./support/sockets_fixtures.ts";
import { snapshot } from "./support/lab_fixtures.ts";

const theme = { symbols: symbolsFor(true), styles: COLOR_STYLES };

function draw(state: AppState): string[] {
  return renderToGrid((buf) => view(state, buf, theme), state.width, state.height);
}

function command(state: AppState, line: string): AppState {
  return run(state, ":", ...line.split(""), "enter");
}

const mqSent = (state: AppState) => state.outbox.filter((c) => c.type.startsWith("mq-"));

/** The command a line parses into, or its error. */
function parse(line: string): MqCommand | LabCommand | string {
  const intent = runCommandLine(line);
  if (intent?.kind === "mq" || intent?.kind === "sockets") return intent.command;
  if (intent?.kind === "error") return intent.message;
  throw new Error(`unexpected intent ${JSON.stringify(intent)}`);
}

Deno.test("the actors' commands parse into the lab's mq-* commands", () => {
  const cases: [string, MqCommand][] = [
    ['publish "" hello Hello World!', {
      type: "mq-publish",
      options: { exchange: "", routingKey: "hello", body: "Hello World!" },
    }],
    ["publish amq.default task_queue First message. --persistent", {
      type: "mq-publish",
      options: {
        exchange: "",
        routingKey: "task_queue",
        body: "First message.",
        persistent: true,
      },
    }],
    ['pub topic_logs kern.critical --rate 2.5 "disk full" --count 10 --mandatory', {
      type: "mq-publish",
      options: {
        exchange: "topic_logs",
        routingKey: "kern.critical",
        body: "disk full",
        ratePerS: 2.5,
        count: 10,
        mandatory: true,
      },
    }],
    ["subscribe logs", { type: "mq-subscribe", exchange: "logs", keys: [] }],
    ["subscribe topic_logs *.orange.*,lazy.# #", {
      type: "mq-subscribe",
      exchange: "topic_logs",
      keys: ["*.orange.*", "lazy.#", "#"],
    }],
    ["worker task_queue", { type: "mq-worker", queue: "task_queue" }],
    ["worker task_queue --prefetch 0 --no-ack", {
      type: "mq-worker",
      queue: "task_queue",
      prefetch: 0,
      noAck: true,
    }],
    ["rpc-server", { type: "mq-rpc-server" }],
    ["rpc 30", { type: "mq-rpc", n: 30 }],
    ["rpc 100", { type: "mq-rpc", n: 100 }],
    ["scenario topic", { type: "mq-scenario", name: "topic" }],
    ["scenario work --no-prefetch", { type: "mq-scenario", name: "work", prefetch: false }],
  ];
  for (const [line, expected] of cases) assertEquals(parse(line), expected, line);
});

Deno.test("bad actors' commands say what is wrong in one line", () => {
  const cases: [string, RegExp][] = [
    ["publish", /^usage: :publish EXCHANGE KEY BODY\.\.\. \[--persistent\]/],
    ["publish logs", /^usage: :publish/],
    ["publish logs info", /^no message body \(usage: :publish/],
    ["publish logs info hi --rate", /^--rate needs messages per second/],
    ["publish logs info hi --rate 0", /^--rate needs messages per second/],
    ["publish logs info hi --rate fast", /^--rate needs messages per second/],
    ["publish logs info hi --count 0", /^--count needs a whole number from 1 to 1000000/],
    ["publish logs info hi --count 2.5", /^--count needs a whole number/],
    ["publish logs info hi --confirm", /^unknown option --confirm/],
    [`publish logs ${"k".repeat(256)} hi`, /^routing key too long: at most 255 bytes/],
    ["subscribe", /^usage: :subscribe EXCHANGE \[KEY,\.\.\.\]/],
    ['subscribe "" hello', /^the default exchange takes no bindings/],
    ["subscribe amq.default hello", /^the default exchange takes no bindings/],
    ["worker", /^usage: :worker QUEUE/],
    ["worker q --prefetch", /^--prefetch needs a whole number from 0/],
    ["worker q --prefetch 70000", /^--prefetch needs a whole number from 0/],
    ["worker q fast", /^unexpected 'fast' \(usage: :worker/],
    ["rpc", /^usage: :rpc N/],
    ["rpc thirty", /^usage: :rpc N/],
    ["rpc 1 2", /^:rpc takes 1 argument, got 2/],
    ["rpc-server now", /^:rpc-server takes no arguments/],
    ["scenario", /^usage: :scenario NAME .*\(scenarios: hello, work, fanout, direct, topic, rpc\)/],
    ["scenario pubsub", /^no scenario 'pubsub' \(scenarios: hello, work/],
    ["scenario topic --no-prefetch", /^--no-prefetch is for the work scenario only/],
    ["scenario work --fast", /^unexpected '--fast' \(usage: :scenario/],
  ];
  for (const [line, message] of cases) {
    const result = parse(line);
    assert(typeof result === "string" && message.test(result), `${line}: ${String(result)}`);
    assert(!result.includes("\n"), "one line");
  }
  // The body keeps words that only look like options when they are not ours.
  assertEquals(parsePublish(["x", "k", "-", "--"]), {
    exchange: "x",
    routingKey: "k",
    body: "- --",
  });
});

Deno.test("a command on the command line shows its error and sends nothing", () => {
  const state = command(mqState(), "publish logs");
  assertEquals(state.message?.level, "error");
  assert(state.message?.text.startsWith("usage: :publish"), state.message?.text);
  assertEquals(mqSent(state), []);
});

Deno.test("an actors command goes to the lab, shows the actors and selects the actor it starts", () => {
  let state: AppState = { ...mqState(), panel: "overview" };
  state = command(state, "subscribe logs");
  assertEquals(state.panel, "rabbitmq");
  assert(state.mq.shown);
  assertEquals(mqSent(state), [{ type: "mq-subscribe", exchange: "logs", keys: [] }]);
  assertEquals(state.mq.selected, "subscriber-1");
  // The lab's next snapshot shows the new actor: it becomes the selection.
  const part = topicPart();
  part.actors.push(actor("subscriber-5", { summary: "logs <- (fanout)" }));
  state = run(state, mqSnapshotEvent(part));
  assertEquals(state.mq.selected, "subscriber-5");
  assert(draw(state).some((r) => r.includes("subscriber-5 (subscriber, running")));
  // The history has it, as for every command.
  assertEquals(state.history.at(-1), "subscribe logs");
});

Deno.test(":rpc starts the RPC server first when none runs, and selects the client", () => {
  const first = command(mqState(topicPart({ actors: [] })), "rpc 30");
  assertEquals(mqSent(first), [{ type: "mq-rpc-server" }, { type: "mq-rpc", n: 30 }]);
  const again = run(mqState(rpcPart()), "a", "j", "k");
  assertEquals(again.mq.selected, "rpc-server-1");
  const next = command(again, "rpc 10");
  assertEquals(mqSent(next), [{ type: "mq-rpc", n: 10 }]);
  assertEquals(next.mq.selected, "rpc-client-1");
});

Deno.test(":stop sends actor names to mq-stop and socket names to stop-socket", () => {
  const state = mqState();
  const stop = (line: string, panel: AppState["panel"] = "rabbitmq") =>
    command({ ...state, panel }, line).outbox.filter((c) => c.type.includes("stop"));
  assertEquals(stop("stop publisher-1"), [{ type: "mq-stop", name: "publisher-1" }]);
  assertEquals(stop("stop rpc-client-2", "sockets"), [{ type: "mq-stop", name: "rpc-client-2" }]);
  assertEquals(stop("stop actors", "overview"), [{ type: "mq-stop" }]);
  // Alone: the actors on the RabbitMQ panel, every socket elsewhere.
  assertEquals(stop("stop"), [{ type: "mq-stop" }]);
  assertEquals(stop("stop", "sockets"), [{ type: "stop-socket" }]);
  assertEquals(stop("stop multiplexed:8001"), [{ type: "stop-socket", name: "multiplexed:8001" }]);
  assertEquals(stop("stop load"), [{ type: "stop-socket", name: "load" }]);
  // A socket command shows the Sockets panel, an actors command the RabbitMQ panel.
  assertEquals(command({ ...state, panel: "overview" }, "stop load").panel, "sockets");
  assertEquals(command({ ...state, panel: "overview" }, "stop worker-1").panel, "rabbitmq");
});

Deno.test("without a lab an actors command says why, once, and sends nothing", () => {
  const state = command({ ...mqState(), lab: { status: "off" } }, "scenario hello");
  assertEquals(state.message, {
    text: "the lab is not running (it runs in the live dashboard only)",
    level: "error",
  });
  assertEquals(mqSent(state), []);
});

Deno.test("Tab completes scenarios, exchanges, queues and actor names", () => {
  const value = (line: string, state = mqState()) => {
    const s = run(state, ":", ...line.split(""), "tab");
    return s.overlay.kind === "command" ? s.overlay.line.input.value : "";
  };
  assertEquals(value("scenario to"), "scenario topic ");
  assertEquals(value("scenario work "), "scenario work --no-prefetch ");
  assertEquals(value("publish topic"), "publish topic_logs ");
  assertEquals(value("publish amq.default task"), "publish amq.default task_queue ");
  assertEquals(value("stop pub"), "stop publisher-1 ");
  assertEquals(value("subscribe amq.f"), "subscribe amq.fanout ");
  const sockets = run(mqState(), {
    type: "lab",
    message: { type: "snapshot", snapshot: snapshot([], { sockets: socketsPart() }) },
  });
  assertEquals(value("stop mu", sockets), "stop multiplexed:8001 ");
});

Deno.test("the lab's replies to actors commands show on the status line, the connect's never", () => {
  const reply = (command: LabCommand["type"], ok: boolean, message: string) => ({
    type: "lab" as const,
    message: { type: "reply" as const, command, ok, message },
  });
  const state = mqState();
  assertEquals(
    run(state, reply("mq-scenario", true, "scenario topic: 5 actors")).message,
    { text: "scenario topic: 5 actors", level: "info" },
  );
  assertEquals(
    run(state, reply("mq-publish", false, "NOT_FOUND - no exchange 'nope' in vhost '/'")).message,
    { text: "NOT_FOUND - no exchange 'nope' in vhost '/'", level: "error" },
  );
  assertEquals(
    run(state, reply("mq-connect", true, "actors use amqp://guest:***@h")).message,
    undefined,
  );
  // Sent at start, not asked for: its state shows in each actor's row instead.
  assertEquals(
    run(state, reply("mq-connect", false, "unknown command 'mq-connect'")).message,
    undefined,
  );
});

Deno.test("the actors view at 80x22: table, the selected actor whole, its log", () => {
  const rows = draw(run(mqState(), "a"));
  assertEquals(rows.length, 22);
  const text = rows.join("\n");
  assert(rows[4]!.includes("connections 1 │ actors 5"), rows[4]!);
  assert(rows[5]!.includes("actors: 5 running (topic)"), rows[5]!);
  assert(/Name +State +Does +Pub +Recv +Ack +Msg\/s/.test(rows[6]!), rows[6]!);
  assert(/subscriber-4 +running +topic_logs <- # +0 +40 +40 +4\.0/.test(text), text);
  assert(/publisher-1 +running .* 40 +0 +0 +4\.0/.test(text), text);
  // The selected actor in words, wrapped whole: every word of the sentence is there.
  const words = text.split(/[\s│]+/);
  for (
    const word
      of "subscriber-1 (subscriber, running, task #11): topic_logs <- *.orange.*; received 20, acked 20; 2.0/s"
        .split(" ")
  ) assert(words.includes(word), `'${word}' cut:\n${text}`);
  assert(text.includes('1.2s #1 quick.orange.rabbit "hi" ack'), text);
  assert(text.includes('1.4s #2 lazy.orange.elephant "hi" ack'), text);
});

Deno.test("j selects the next actor and its log; x writes :stop with its name; a and Esc go back", () => {
  let state = run(mqState(), "a", "end");
  assertEquals(state.mq.selected, "publisher-1");
  const text = draw(state).join("\n");
  assert(text.includes("log of publisher-1"), text);
  assert(text.includes("1.5s #40 quick.brown.fox returned"), text);
  assert(/published 40, confirmed 40, nacked 0, returned 0/.test(text.replace(/[│\s]+/g, " ")));
  state = run(state, "x");
  assertEquals(
    state.overlay.kind === "command" && state.overlay.line.input.value,
    "stop publisher-1",
  );
  state = run(state, "enter");
  assertEquals(mqSent(state), [{ type: "mq-stop", name: "publisher-1" }]);
  assert(!run(state, "escape").mq.shown);
  assert(!run(state, "a").mq.shown);
  // The row of tables goes round through the actors: connections, actors, exchanges.
  assertEquals(run(state, "l").rabbit.table, "exchanges");
  assertEquals(run(state, "h").rabbit.table, "connections");
  assert(!run(mqState(), "h").mq.shown, "queues, then exchanges");
  assert(run(mqState(), "h", "h").mq.shown, "left of exchanges are the actors");
});

Deno.test("m, b and w write the command for the selected exchange or queue; c writes :rpc 30", () => {
  const line = (state: AppState) =>
    state.overlay.kind === "command" ? state.overlay.line.input.value : "";
  // queues is the focused table, hello selected.
  assertEquals(line(run(mqState(), "m")), "publish amq.default hello ");
  assertEquals(line(run(mqState(), "w")), "worker hello");
  assertEquals(line(run(mqState(), "b")), "subscribe ");
  // exchanges: (AMQP default), amq.fanout, topic_logs by name.
  assertEquals(line(run(mqState(), "h", "j", "j", "b")), "subscribe topic_logs ");
  assertEquals(line(run(mqState(), "h", "j", "j", "m")), "publish topic_logs ");
  assertEquals(line(run(mqState(), "h", "m")), "publish amq.default ");
  assertEquals(line(run(mqState(), "c")), "rpc 30");
});

Deno.test("s opens the scenario menu; Enter runs the selected one; n runs work without prefetch", () => {
  let state = run(mqState(), "s");
  assertEquals(state.overlay.kind, "scenario-menu");
  const text = draw(state).join("\n");
  for (const name of ["hello", "work", "fanout", "direct", "topic", "rpc", "Enter runs"]) {
    assert(text.includes(name), `${name}:\n${text}`);
  }
  state = run(state, "j", "j", "j", "j", "enter");
  assertEquals(state.overlay.kind, "none");
  assertEquals(mqSent(state), [{ type: "mq-scenario", name: "topic" }]);
  state = run(mqState(), "s", "j", "n");
  assert(draw(state).join("\n").includes("WITHOUT prefetch"));
  state = run(state, "enter");
  assertEquals(mqSent(state), [{ type: "mq-scenario", name: "work", prefetch: false }]);
  assertEquals(run(mqState(), "s", "escape").overlay.kind, "none");
});

Deno.test("the RPC client's calls show with their answer and latency, the newest last", () => {
  const part = rpcPart();
  part.rpc = [
    call(10, { answer: "55", latencyMs: 12 }),
    call(91, { state: "error", answer: "n must be from 0 to 90", latencyMs: 4 }),
    call(30),
    call(35, { state: "waiting", answer: null, latencyMs: null }),
  ];
  const text = draw(run(mqState(part), "a")).join("\n");
  assert(/c0ffee30 +30 832040 +3\.2 ms/.test(text), text);
  assert(/c0ffee35 +35 waiting\.\.\./.test(text), text);
  const large = draw(mqState(part, { width: 140, height: 44 })).join("\n");
  for (const expected of ["55", "12 ms", "n must be from 0 to 90", "832040", "waiting..."]) {
    assert(large.includes(expected), `${expected}:\n${large}`);
  }
});

Deno.test("failed is red with its error whole; done and stopped are dim, never failures", () => {
  const part = topicPart({
    actors: [
      actor("publisher-1", {
        state: "failed",
        error: "NOT_FOUND - no exchange 'nope' in vhost '/' (from amqp://guest:hunter2@h:5672)",
      }),
      actor("worker-1", { state: "done", summary: "task_queue prefetch 1 ack" }),
      actor("subscriber-1", { state: "stopped", summary: "logs" }),
    ],
  });
  const state = run(mqState(part), "a");
  const buf = new ScreenBuffer(80, 22);
  view(state, buf, theme);
  const rows = buf.toLines();
  const y = (name: string) => rows.findIndex((r) => r.includes(`${name} `) && !r.includes("("));
  const style = (name: string) => buf.cell(4, y(name)).style;
  assertEquals(style("worker-1").dim, true);
  assertEquals(style("subscriber-1").dim, true);
  assert(style("worker-1").fg !== 1 && style("subscriber-1").fg !== 1);
  // The failed one is selected (first): reverse video over its red.
  assertEquals(style("publisher-1").reverse, true);
  const text = rows.join("\n");
  assert(text.includes("error: NOT_FOUND - no exchange 'nope' in vhost '/'"), text);
  assert(!text.includes("hunter2"), "no password on screen");
  assert(text.includes("amqp://guest:***@h:5672"), text);
  assert(text.includes("actors: 1 failed, 1 done, 1 stopped (topic)"), text);
});

Deno.test("a large terminal shows the broker's tables and the actors together, with kind and error", () => {
  const rows = draw(mqState(topicPart(), { width: 140, height: 44 }));
  const text = rows.join("\n");
  assert(text.includes("task_queue"), "the queues table");
  assert(text.includes("bindings of queue hello: 1"), "what is under it");
  assert(/Name +Kind +State +Does +Pub +Recv +Ack +Msg\/s +Error/.test(text), text);
  assert(/subscriber-1 +subscriber +running +topic_logs <- \*\.orange\.\*/.test(text), text);
  assert(text.includes('1.2s #1 quick.orange.rabbit "hi" ack'), text);
});

Deno.test("without the management API the actors still show under why", () => {
  const rows = draw(run(mqState(topicPart(), { api: false }), "a"));
  const text = rows.join("\n");
  assert(text.includes("The broker is read in the live dashboard only."), text);
  assert(text.includes("actors: 5 running (topic)"), text);
  assert(text.includes("subscriber-4"), text);
});

Deno.test("the Overview has one line for the actors", () => {
  const overview = (state: AppState) => draw({ ...state, panel: "overview" }).join("\n");
  assert(overview(mqState()).includes("actors: 5 running (topic)"));
  assert(overview(mqState(null)).includes("no actors (s on the RabbitMQ panel"));
});

Deno.test("log lines gather per actor across snapshots, bounded, and say what the lab dropped", () => {
  let state = mqState(topicPart({ log: { lines: [], dropped: 0 } }));
  const line = (seq: number) => ({ seq, actor: "subscriber-4", atMs: seq * 10, text: `#${seq}` });
  for (let i = 0; i < 3; i++) {
    const lines = Array.from({ length: 100 }, (_, k) => line(i * 100 + k + 1));
    state = run(state, mqSnapshotEvent(topicPart({ log: { lines, dropped: 5 } })));
  }
  const log = state.mq.logs["subscriber-4"]!;
  assertEquals(log.length, LOG_KEEP);
  assertEquals(log.at(-1), "3.0s #300");
  assertEquals(state.mq.dropped, 15);
  state = run(state, "a", "j", "j", "j");
  const text = draw(state).join("\n");
  assert(text.includes("log of subscriber-4, newest last (15 lines came too fast to show)"), text);
  assert(text.includes("3.0s #300"), text);
  // An actor the lab no longer lists takes its log with it.
  const gone = run(state, mqSnapshotEvent(topicPart({ actors: topicPart().actors.slice(0, 3) })));
  assertEquals(Object.keys(gone.mq.logs).includes("subscriber-4"), false);
  assertEquals(gone.mq.selected, "subscriber-1");
});

Deno.test("help on the RabbitMQ panel lists the actors' keys and commands", () => {
  const entries = helpContent(mqState()).entries;
  const keys = entries.map((e) => e.key);
  for (
    const key of [
      "a",
      "s",
      "m b w c",
      "x",
      ":publish EXCHANGE KEY BODY...",
      ":scenario NAME [--no-prefetch]",
      ":rpc N",
      ":stop [NAME]",
    ]
  ) {
    assert(keys.includes(key), `${key} in ${keys.join(", ")}`);
  }
});
