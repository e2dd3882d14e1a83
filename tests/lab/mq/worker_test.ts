/**
 * The worker actor, on the embedded broker and RabbitMQ: a missing queue is
 * declared durable (as worker.py does), each `.` is a second of work times
 * the work scale spent in a hub sleep (the task shows waiting(sleep)), and a
 * stop during the work leaves the message unacked, so the broker keeps it.
 */
import { Buffer } from "node:buffer";
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { openClient } from "../../broker/support/amqplib.ts";
import { mqTest, waitFor } from "./support.ts";

mqTest(
  "a worker declares its queue durable, works in a hub sleep, and a stop requeues",
  async (lab) => {
    const queue = `warren-mqlab-work-${crypto.randomUUID()}`;
    const started = await lab.send({ type: "mq-worker", queue, prefetch: 1 });
    assert(started.ok, started.message);
    assertEquals(started.message, `worker-1 started: ${queue} prefetch 1 ack`);
    const client = await openClient(lab.url, {});
    try {
      const ch = await client.channel();
      // durable: a non-durable declaration of the same name is refused (406)
      await ch.assertQueue(queue, { durable: true });
      ch.sendToQueue(queue, Buffer.from("quick ."), { persistent: true });
      await lab.until((mq) => mq.actors[0]!.acked === 1, "the first task acked");
      // 100 dots at work scale 0.01: a second of simulated work
      ch.sendToQueue(queue, Buffer.from(`slow ${".".repeat(100)}`), { persistent: true });
      const mq = await lab.until((m) => m.actors[0]!.received === 2, "the second task received");
      const task = lab.service.hub.task(mq.actors[0]!.taskId)!;
      await waitFor(() => task.stateText === "waiting(sleep)", "the worker sleeping in its work");
      const stopped = await lab.send({ type: "mq-stop", name: "worker-1" });
      assert(stopped.ok, stopped.message);
      const row = lab.mq().actors[0]!;
      assertEquals([row.state, row.received, row.acked], ["stopped", 2, 1]);
      // unacked when its channel closed: back in the queue, for the next worker
      const left = await waitFor(
        async () => (await ch.checkQueue(queue)).messageCount === 1 || 0,
        "the task requeued",
      );
      assert(left);
      assert(
        lab.lines.some((l) => / working 1\.0 s$/.test(l.text)),
        lab.lines.map((l) => l.text).join("\n"),
      );
      await ch.deleteQueue(queue);
    } finally {
      await client.close();
    }
  },
);
