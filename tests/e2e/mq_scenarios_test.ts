/**
 * The lesson's RabbitMQ scenarios as a person runs them: the dashboard in
 * tmux at 80x24 (tmux's status line on), read from the screen only, against
 * the embedded broker it starts and, when RABBITMQ_URL and RABBITMQ_MGMT_URL
 * are set, against RabbitMQ in a vhost of the test's own (the panel reads
 * the URL's vhost only, so parallel tests' topic_logs never show):
 * - a queue an outside client fills with 3 messages shows with its count;
 * - `:scenario topic` shows topic_logs with its four bindings, and each
 *   subscriber received exactly the messages its pattern matches;
 * - `:scenario rpc` then `:rpc 30` shows 832040;
 * - `:scenario work`: the fast worker acks more of the 30 tasks (fair dispatch).
 * Then a broker stopped and started again under a running scenario: the
 * actors say `reconnecting`, then run and receive again.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp from "amqplib";
import { TMUX_80X24, tmuxAvailable, TmuxSession, tmuxSkip } from "./tmux.ts";
import { EMBEDDED_URL_SHOWN, NO_RABBIT } from "./broker_flags.ts";
import { TOPIC_KEYS, TOPIC_PATTERNS, WORK_TASKS } from "../../src/lab/mq/scenarios.ts";
import { topicMatches } from "../../src/routing/topic_matcher.ts";
import { createVhost, deleteVhost } from "../lab/mq/support.ts";
import { spawnBroker } from "../broker/support/broker_process.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const ROOT = new URL("../../", import.meta.url).pathname;
const RABBITMQ_URL = Deno.env.get("RABBITMQ_URL") || undefined;
const RABBITMQ_MGMT_URL = Deno.env.get("RABBITMQ_MGMT_URL") || undefined;

const e2e = { sanitizeOps: false, sanitizeResources: false };
/** RabbitMQ's management API updates queue figures every 5 s (collect_statistics_interval). */
const RABBITMQ_STATS_MS = 5000;

function startDashboard(brokerFlags: string[]): Promise<TmuxSession> {
  return TmuxSession.start(
    [
      Deno.execPath(),
      "run",
      "-A",
      MAIN,
      "start",
      ...brokerFlags,
      "--panel",
      "rabbitmq",
      "--work-scale",
      "0.1",
    ],
    { ...TMUX_80X24, env: { LANG: "C.UTF-8", TERM: "xterm-256color" }, cwd: ROOT },
  );
}

interface ActorLine {
  name: string;
  state: string;
  does: string;
  published: number;
  received: number;
  acked: number;
}

/** The actors table's rows as the screen shows them. */
function actorRows(screen: string): ActorLine[] {
  const rows: ActorLine[] = [];
  const row = /^│ (\S+-\d+) +(\S+) +(.+?) +(\d+) +(\d+) +(\d+) +[\d.]+ │$/;
  for (const line of screen.split("\n")) {
    const m = row.exec(line);
    if (!m) continue;
    const [, name, state, does, published, received, acked] = m;
    rows.push({
      name: name!,
      state: state!,
      does: does!,
      published: Number(published),
      received: Number(received),
      acked: Number(acked),
    });
  }
  return rows;
}

async function command(session: TmuxSession, text: string): Promise<void> {
  await session.send([":"]);
  await session.type(text);
  await session.send(["Enter"]);
}

/** Waits for the actors' rows to satisfy `check`; returns them. */
async function untilRows(
  session: TmuxSession,
  check: (rows: ActorLine[]) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<ActorLine[]> {
  const screen = await session.waitFor((s) => check(actorRows(s)), { what, timeoutMs });
  return actorRows(screen);
}

const one = (rows: ActorLine[], name: string) => rows.find((r) => r.name === name);

/** The lesson's tour on a dashboard already showing `api ok`; `amqpUrl` for the outside client. */
async function lessonTour(session: TmuxSession, amqpUrl: string, statsLagMs: number) {
  // An outside client's queue with 3 messages shows with its count.
  const conn = await amqp.connect(amqpUrl);
  try {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue("e2e.three", { durable: false });
    for (let i = 0; i < 3; i++) ch.sendToQueue("e2e.three", Buffer.from(`m${i}`));
    await ch.waitForConfirms();
    await session.waitFor((s) => /e2e\.three +--- +3 +0 /.test(s), {
      what: "e2e.three with 3 ready",
      timeoutMs: 3000 + statsLagMs,
    });
    await ch.deleteQueue("e2e.three");
  } finally {
    await conn.close();
  }

  // topic: its bindings, then each subscriber got what its pattern matches.
  await command(session, "scenario topic");
  await session.waitForText("actors: 5 running (topic)");
  await untilRows(session, (r) => (one(r, "publisher-1")?.published ?? 0) >= 20, "20 published");
  await command(session, "stop publisher-1");
  let rows = await untilRows(session, (r) => {
    const pub = one(r, "publisher-1");
    return pub?.state === "stopped" && one(r, "subscriber-4")?.received === pub.published;
  }, "the publisher stopped and # caught up");
  const published = one(rows, "publisher-1")!.published;
  const sent = Array.from({ length: published }, (_, i) => TOPIC_KEYS[i % TOPIC_KEYS.length]!);
  // The deliveries still in flight have arrived once # has them all; read again to be sure.
  rows = actorRows((await session.screen()).join("\n"));
  TOPIC_PATTERNS.forEach((pattern, i) => {
    const expected = sent.filter((key) => topicMatches(pattern, key)).length;
    assertEquals(one(rows, `subscriber-${i + 1}`)!.received, expected, `${pattern} received`);
  });
  await session.send(["l", "/"]);
  await session.type("topic_logs");
  await session.send(["Enter"]);
  const bindings = await session.waitForText("bindings of exchange topic_logs: 4");
  for (const pattern of TOPIC_PATTERNS) {
    assert(bindings.includes(`key '${pattern}'`), `binding ${pattern}:\n${bindings}`);
  }
  await session.send(["Escape"]);
  await session.waitFor((s) => !s.includes("filter: topic_logs"), { what: "the filter cleared" });

  // rpc: the scenario's client calls fib(30), and :rpc 30 once more.
  await command(session, "scenario rpc");
  await session.waitForText("actors: 2 running (rpc)");
  await command(session, "rpc 30");
  const rpc = await untilRows(
    session,
    (r) => one(r, "rpc-client-1")?.received === 2,
    "two answers to the RPC client",
  );
  assertEquals(one(rpc, "rpc-server-1")?.acked, 2);
  const calls = await session.waitFor((s) => (s.match(/ 30 832040 /g) ?? []).length === 2, {
    what: "two fib(30) calls answered 832040",
  });
  assert(!calls.includes("error"), calls);

  // work: fair dispatch, the fast worker (started first) acks more.
  await command(session, "scenario work");
  await session.waitForText("(work)");
  const work = await untilRows(
    session,
    (r) => {
      const workers = r.filter((x) => x.does.startsWith("task_queue"));
      return workers.length === 2 && workers[0]!.acked + workers[1]!.acked === WORK_TASKS;
    },
    `the ${WORK_TASKS} tasks acked`,
    30_000,
  );
  const [fast, slow] = work.filter((x) => x.does.startsWith("task_queue"));
  assert(fast!.acked > slow!.acked, `fast ${fast!.acked}, slow ${slow!.acked}`);
  assert(work.every((r) => r.state !== "failed"), JSON.stringify(work));

  await session.send(["q"]);
  await session.waitForText("[exit 0]");
}

Deno.test({
  name: `mq scenarios in tmux at 80x24 [embedded]: topic, rpc, work as the lesson${tmuxSkip}`,
  ...e2e,
  ignore: !tmuxAvailable,
  async fn() {
    const session = await startDashboard(NO_RABBIT);
    try {
      const ready = await session.waitFor(
        (s) => EMBEDDED_URL_SHOWN.test(s) && s.includes("api ok"),
        { what: "the embedded broker's URL and the API" },
      );
      const port = EMBEDDED_URL_SHOWN.exec(ready)![1]!;
      await lessonTour(session, `amqp://guest:guest@127.0.0.1:${port}`, 0);
    } finally {
      await session.close();
    }
  },
});

const rabbitReady = RABBITMQ_URL !== undefined && RABBITMQ_MGMT_URL !== undefined;

Deno.test({
  name: `mq scenarios in tmux at 80x24 [rabbitmq]: the same in a vhost of its own${
    rabbitReady ? tmuxSkip : " (ignored: RABBITMQ_URL and RABBITMQ_MGMT_URL not set)"
  }`,
  ...e2e,
  ignore: !tmuxAvailable || !rabbitReady,
  async fn() {
    const vhost = await createVhost();
    const url = new URL(RABBITMQ_URL!);
    url.pathname = `/${encodeURIComponent(vhost)}`;
    const session = await startDashboard(["--broker", url.href, "--mgmt-url", RABBITMQ_MGMT_URL!]);
    try {
      const ready = await session.waitForText("api ok", 20_000);
      assert(ready.includes(`vhost ${vhost}`), ready);
      await lessonTour(session, url.href, RABBITMQ_STATS_MS);
    } finally {
      await session.close();
      await deleteVhost(vhost);
    }
  },
});

Deno.test({
  name:
    `mq scenarios in tmux at 80x24: a broker stopped and started again, the actors reconnect${tmuxSkip}`,
  ...e2e,
  ignore: !tmuxAvailable,
  async fn() {
    let broker = await spawnBroker([]);
    const http = Number(/management API on http:\/\/[^\s]+:(\d+)/.exec(broker.stdout)![1]);
    const session = await startDashboard([
      "--broker",
      broker.url,
      "--mgmt-url",
      `http://guest:guest@127.0.0.1:${http}`,
    ]);
    try {
      await session.waitForText("api ok", 20_000);
      await command(session, "scenario fanout");
      await session.waitForText("actors: 3 running (fanout)");
      await untilRows(session, (r) => (one(r, "subscriber-1")?.received ?? 0) >= 3, "received");
      await broker.stop();
      await session.waitForText("actors: 3 reconnecting (fanout)");
      const before = actorRows((await session.screen()).join("\n"));
      const port = String(broker.port);
      broker = await spawnBroker(["--port", port, "--http-port", String(http)]);
      await session.waitForText("actors: 3 running (fanout)", 20_000);
      const was = one(before, "subscriber-1")!.received;
      await untilRows(
        session,
        (r) => (one(r, "subscriber-1")?.received ?? 0) >= was + 3,
        "subscriber-1 receiving again",
      );
      await session.send(["Escape"]); // the scenario's message, over the status bar
      await session.waitForText("api ok");
      await session.send(["q"]);
      await session.waitForText("[exit 0]");
    } finally {
      await session.close();
      await broker.stop();
    }
  },
});
