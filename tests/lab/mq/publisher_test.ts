/**
 * The publisher actor through the lab service's commands, on the embedded
 * broker and RabbitMQ: a count with confirms, returns of mandatory messages,
 * nacks from a queue that refuses them, the broker's 404 for a missing
 * exchange, a refused connection, and a stop that ends the task cleanly.
 */
import {
  deepStrictEqual as assertEquals,
  match as assertMatch,
  ok as assert,
} from "node:assert/strict";
import { openClient } from "../../broker/support/amqplib.ts";
import { mqTest, publishedKeys } from "./support.ts";

mqTest("a publisher sends its count, each confirmed, then is done", async (lab) => {
  const client = await openClient(lab.url, {});
  try {
    const ch = await client.channel();
    const { queue } = await ch.assertQueue("", { exclusive: true });
    const reply = await lab.send({
      type: "mq-publish",
      options: { exchange: "", routingKey: queue, body: "hello", count: 50 },
    });
    assert(reply.ok, reply.message);
    const mq = await lab.until((m) => m.actors[0]?.state === "done", "publisher done");
    const row = mq.actors[0]!;
    assertEquals(
      [row.name, row.published, row.confirmed, row.nacked, row.returned],
      ["publisher-1", 50, 50, 0, 0],
    );
    assertEquals(row.taskId, 0, "its task has ended");
    assertEquals((await ch.checkQueue(queue)).messageCount, 50);
    assertEquals(publishedKeys(lab.lines, "publisher-1").length, 50);
  } finally {
    await client.close();
  }
});

mqTest(
  "mandatory messages no queue takes come back as returns, counted and logged",
  async (lab) => {
    const reply = await lab.send({
      type: "mq-publish",
      options: {
        exchange: "amq.direct",
        routingKey: "nobody-binds-this",
        body: "lost?",
        count: 3,
        mandatory: true,
      },
    });
    assert(reply.ok, reply.message);
    const mq = await lab.until((m) => m.actors[0]?.state === "done", "publisher done");
    const row = mq.actors[0]!;
    assertEquals([row.published, row.returned, row.confirmed], [3, 3, 3]);
    const returns = lab.lines.filter((l) => / returned: 312 NO_ROUTE/.test(l.text));
    assertEquals(returns.length, 3, lab.lines.map((l) => l.text).join("\n"));
  },
);

mqTest(
  "a queue that refuses messages (reject-publish) makes nacks, counted and logged",
  async (lab) => {
    const client = await openClient(lab.url, {});
    try {
      const ch = await client.channel();
      const { queue } = await ch.assertQueue("", {
        exclusive: true,
        arguments: { "x-max-length": 1, "x-overflow": "reject-publish" },
      });
      await lab.send({
        type: "mq-publish",
        options: { exchange: "", routingKey: queue, body: "one too many", count: 4 },
      });
      const mq = await lab.until((m) => m.actors[0]?.state === "done", "publisher done");
      const row = mq.actors[0]!;
      assertEquals([row.published, row.confirmed, row.nacked], [4, 1, 3]);
      assertEquals(lab.lines.filter((l) => / nack: /.test(l.text)).length, 3);
    } finally {
      await client.close();
    }
  },
);

mqTest(
  "a missing exchange: the actor fails with the broker's 404, the reply says so",
  async (lab) => {
    const reply = await lab.send({
      type: "mq-publish",
      options: { exchange: "warren-no-such-exchange", routingKey: "k", body: "x", count: 1 },
    });
    assertEquals(reply.ok, false);
    assertMatch(
      reply.message,
      /^publisher-1 failed: 404 NOT_FOUND - no exchange 'warren-no-such-exchange'/,
    );
    const row = lab.mq().actors[0]!;
    assertEquals(row.state, "failed");
    assertMatch(row.error ?? "", /^404 NOT_FOUND/);
    assert(lab.lines.some((l) => l.actor === "publisher-1" && /^failed: 404/.test(l.text)));
    // the lab keeps serving
    const again = await lab.send({
      type: "mq-publish",
      options: { exchange: "amq.fanout", routingKey: "", body: "x", count: 1 },
    });
    assert(again.ok, again.message);
  },
);

mqTest("a refused connection fails the actor with one line; no password shown", async (lab) => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const connected = await lab.send({
    type: "mq-connect",
    url: `amqp://guest:secret-pw@127.0.0.1:${port}`,
    workScale: 1,
  });
  assert(connected.ok, connected.message);
  assert(!connected.message.includes("secret-pw"), connected.message);
  const reply = await lab.send({ type: "mq-subscribe", exchange: "amq.fanout", keys: [] });
  assertEquals(reply.ok, false);
  assertEquals(reply.message, `subscriber-1 failed: connection refused (127.0.0.1:${port})`);
  const mq = lab.mq();
  assertEquals(mq.actors[0]!.state, "failed");
  assert(!JSON.stringify(mq).includes("secret-pw"));
});

mqTest("stop ends an actor cleanly: stopped, its task done, its connection closed", async (lab) => {
  const started = await lab.send({ type: "mq-subscribe", exchange: "amq.topic", keys: ["#"] });
  assert(started.ok, started.message);
  const taskId = lab.mq().actors[0]!.taskId;
  assert(taskId > 0);
  const stopped = await lab.send({ type: "mq-stop", name: "subscriber-1" });
  assertEquals([stopped.ok, stopped.message], [true, "stopped subscriber-1"]);
  const row = lab.mq().actors[0]!;
  assertEquals([row.state, row.taskId, row.error], ["stopped", 0, null]);
  assertEquals(lab.service.hub.task(taskId)?.state, "done");
  const unknown = await lab.send({ type: "mq-stop", name: "subscriber-1" });
  assertEquals([unknown.ok, unknown.message], [false, "no running actor 'subscriber-1'"]);
});
