/**
 * Peek against the embedded broker (free ports): the first messages come
 * back, stay in the queue, and are marked redelivered; a missing queue is
 * the broker's own error.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp from "amqplib";
import { peekQueue } from "../../src/app/mgmt_peek.ts";
import { startBroker } from "../../src/broker/server.ts";

Deno.test({
  name: "peekQueue() [embedded]: gets the first messages with requeue; they stay, redelivered",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const broker = await startBroker({ port: 0, httpPort: 0, log: () => {} });
    const conn = await amqp.connect(broker.url);
    try {
      const mgmtUrl = `http://guest:guest@127.0.0.1:${broker.management!.port}`;
      const ch = await conn.createConfirmChannel();
      await ch.assertQueue("peeked", { durable: false });
      for (const body of ["one", "two", "three"]) ch.sendToQueue("peeked", Buffer.from(body));
      await ch.waitForConfirms();
      const first = await peekQueue(mgmtUrl, "/", "peeked");
      assert("messages" in first, JSON.stringify(first));
      assertEquals(first.messages.map((m) => [m.body, m.routingKey, m.redelivered]), [
        ["one", "peeked", false],
        ["two", "peeked", false],
        ["three", "peeked", false],
      ]);
      assertEquals((await ch.checkQueue("peeked")).messageCount, 3);
      const again = await peekQueue(mgmtUrl, "/", "peeked");
      assert("messages" in again && again.messages.every((m) => m.redelivered));
      const missing = await peekQueue(mgmtUrl, "/", "nope");
      assert("error" in missing && missing.error.startsWith("HTTP 404"), JSON.stringify(missing));
    } finally {
      await conn.close();
      await broker.close();
    }
  },
});
