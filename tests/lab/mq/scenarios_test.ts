/**
 * The lesson's scenarios through `mq-scenario`, on the embedded broker and
 * RabbitMQ (each test in a vhost of its own there): topic subscribers get
 * exactly what their pattern matches, fair dispatch makes the fast worker
 * ack more (and without prefetch the tasks are dealt out in turn), hello,
 * fanout and direct run as the lesson's programs do, a second scenario stops
 * the first one's actors, and a 406 from the broker is the reply.
 */
import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
} from "node:assert/strict";
import { topicMatches } from "../../../src/routing/topic_matcher.ts";
import { TOPIC_PATTERNS, WORK_TASKS } from "../../../src/lab/mq/scenarios.ts";
import type { MqSnapshot } from "../../../src/lab/protocol.ts";
import { openClient } from "../../broker/support/amqplib.ts";
import { type MqLab, mqTest, publishedKeys, receivedKeys } from "./support.ts";

function row(mq: MqSnapshot, name: string) {
  const found = mq.actors.find((a) => a.name === name);
  assert(found !== undefined, `no actor ${name} in ${mq.actors.map((a) => a.name)}`);
  return found;
}

mqTest("topic: each subscriber receives exactly the messages its pattern matches", async (lab) => {
  const reply = await lab.send({ type: "mq-scenario", name: "topic" });
  assert(reply.ok, reply.message);
  assertMatch(reply.message, /^scenario topic: topic_logs \(topic\): 4 subscribers/);
  const subscribers = TOPIC_PATTERNS.map((_, i) => `subscriber-${i + 1}`);
  await lab.until((mq) => row(mq, "publisher-1").confirmed >= 20, "20 messages confirmed");
  const stopped = await lab.send({ type: "mq-stop", name: "publisher-1" });
  assert(stopped.ok, stopped.message);
  const published = publishedKeys(lab.lines, "publisher-1");
  assert(published.length >= 20);
  // a stop waits for the last confirms: nothing published is lost
  const publisher = row(lab.mq(), "publisher-1");
  assertEquals([publisher.state, publisher.confirmed], ["stopped", published.length]);
  const expected = TOPIC_PATTERNS.map((p) => published.filter((k) => topicMatches(p, k)));
  await lab.until(
    () => subscribers.every((s, i) => receivedKeys(lab.lines, s).length >= expected[i]!.length),
    "every subscriber has its messages",
  );
  for (const [i, s] of subscribers.entries()) {
    assertEquals(receivedKeys(lab.lines, s), expected[i], `${s} on ${TOPIC_PATTERNS[i]}`);
  }
  // the lesson's examples
  assert(expected[0]!.includes("quick.orange.rabbit") && !expected[0]!.includes("lazy.brown.fox"));
  assert(
    expected[2]!.includes("lazy.orange.male.rabbit") && !expected[1]!.includes("quick.brown.fox"),
  );
  assertEquals(expected[3], published);
}, { workScale: 0.05 });

async function runWork(lab: MqLab, prefetch: boolean): Promise<[number, number]> {
  const reply = await lab.send({ type: "mq-scenario", name: "work", prefetch });
  assert(reply.ok, reply.message);
  const mq = await lab.until(
    (m) => row(m, "worker-1").acked + row(m, "worker-2").acked === WORK_TASKS,
    `all ${WORK_TASKS} tasks acked`,
    20_000,
  );
  assertMatch(row(mq, "worker-2").summary, /slow/);
  assertEquals(row(mq, "publisher-1").confirmed, WORK_TASKS);
  return [row(mq, "worker-1").acked, row(mq, "worker-2").acked];
}

mqTest("work with prefetch 1: the fast worker acks more than the slow one", async (lab) => {
  const [fast, slow] = await runWork(lab, true);
  assert(fast > slow, `fast ${fast}, slow ${slow}`);
});

mqTest("work without prefetch: the broker deals the tasks out in turn, 15 each", async (lab) => {
  const [fast, slow] = await runWork(lab, false);
  assertEquals([fast, slow], [WORK_TASKS / 2, WORK_TASKS / 2]);
});

mqTest(
  "hello, fanout and direct run as the lesson's programs; a new scenario stops the last and drops it from the list",
  async (lab) => {
    let reply = await lab.send({ type: "mq-scenario", name: "hello" });
    assert(reply.ok, reply.message);
    await lab.until((mq) => row(mq, "worker-1").received >= 2, "hello received twice");
    assert(lab.lines.some((l) => l.actor === "worker-1" && l.text.includes('"Hello World!"')));

    reply = await lab.send({ type: "mq-scenario", name: "fanout" });
    assert(reply.ok, reply.message);
    assertMatch(reply.message, /\(stopped 2 actors of the previous one\)$/);
    // The stopped actors leave the list: the new scenario's are the ones in view.
    let mq = await lab.until(
      (m) => m.actors.some((a) => a.name === "subscriber-1"),
      "the fanout scenario's actors in the list",
    );
    assertEquals(mq.actors.filter((a) => a.name === "worker-1" || a.name === "publisher-1"), []);
    await lab.until(
      (m) => row(m, "subscriber-1").received >= 3 && row(m, "subscriber-2").received >= 3,
      "both fanout subscribers receive",
    );

    reply = await lab.send({ type: "mq-scenario", name: "direct" });
    assert(reply.ok, reply.message);
    // subscriber-3: warning error; subscriber-4: info warning error
    mq = await lab.until((m) => row(m, "subscriber-4").received >= 6, "direct messages");
    const few = receivedKeys(lab.lines, "subscriber-3");
    const all = receivedKeys(lab.lines, "subscriber-4");
    assert(!few.includes("info") && few.includes("error"), few.join(","));
    assert(all.includes("info") && all.includes("warning") && all.includes("error"));
    assertEquals(mq.scenario, "direct");
  },
  { workScale: 0.1 },
);

mqTest("a queue declared otherwise: the scenario's reply is the broker's 406", async (lab) => {
  const client = await openClient(lab.url, {});
  try {
    const ch = await client.channel();
    await ch.assertQueue("task_queue", { durable: false });
    const reply = await lab.send({ type: "mq-scenario", name: "work" });
    assertEquals(reply.ok, false);
    assertMatch(reply.message, /^scenario work: worker-\d failed: 406 PRECONDITION_FAILED/);
    const mq = lab.mq();
    assert(mq.actors.every((a) => !["connecting", "running", "reconnecting"].includes(a.state)));
    // its publisher never started, so it is not listed
    assertEquals(mq.actors.map((a) => a.kind), ["worker", "worker"]);
    await ch.deleteQueue("task_queue");
  } finally {
    await client.close();
  }
});
