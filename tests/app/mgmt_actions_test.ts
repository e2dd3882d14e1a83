/**
 * Purge and delete through the management API, on the embedded broker
 * (ports 0) and, when RABBITMQ_URL and RABBITMQ_MGMT_URL are set, on
 * RabbitMQ, with the same assertions: a purge empties the queue, a delete
 * removes the queue or the exchange (seen over AMQP), and a refusal (a
 * missing queue, the broker's own exchange) is the broker's reason in one
 * line.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { Buffer } from "node:buffer";
import amqp from "amqplib";
import { actionPath, performAction } from "../../src/app/mgmt_actions.ts";
import { startBroker } from "../../src/broker/server.ts";
import { rabbitmqTest } from "./support/rabbitmq_env.ts";

Deno.test("actionPath(): RabbitMQ's paths, names and vhosts URL-encoded", () => {
  assertEquals(
    actionPath({ op: "purge", vhost: "/", name: "a b" }),
    "/api/queues/%2F/a%20b/contents",
  );
  assertEquals(actionPath({ op: "delete-queue", vhost: "v", name: "q" }), "/api/queues/v/q");
  assertEquals(
    actionPath({ op: "delete-exchange", vhost: "/", name: "x/y" }),
    "/api/exchanges/%2F/x%2Fy",
  );
});

async function purgeAndDelete(amqpUrl: string, mgmtUrl: string, kind: string): Promise<void> {
  const name = `warren.actions-test.${kind}.${crypto.randomUUID().slice(0, 8)}`;
  const conn = await amqp.connect(amqpUrl);
  conn.on("error", () => {});
  try {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue(name, { durable: false });
    await ch.assertExchange(`${name}.x`, "fanout", { durable: false });
    for (let i = 0; i < 3; i++) ch.sendToQueue(name, Buffer.from(`m${i}`));
    await ch.waitForConfirms();
    assertEquals((await ch.checkQueue(name)).messageCount, 3);

    const purged = await performAction(mgmtUrl, { op: "purge", vhost: "/", name });
    assertEquals(purged.ok, true, JSON.stringify(purged));
    assertEquals((await ch.checkQueue(name)).messageCount, 0);

    const deleted = await performAction(mgmtUrl, { op: "delete-queue", vhost: "/", name });
    assertEquals(deleted.ok, true, JSON.stringify(deleted));
    const x = await performAction(mgmtUrl, {
      op: "delete-exchange",
      vhost: "/",
      name: `${name}.x`,
    });
    assertEquals(x.ok, true, JSON.stringify(x));
    // Both are gone for AMQP clients too (a passive declare is a 404 that closes the channel).
    for (
      const check of [
        (c: amqp.Channel) => c.checkQueue(name),
        (c: amqp.Channel) => c.checkExchange(`${name}.x`),
      ]
    ) {
      const probe = await conn.createChannel();
      probe.on("error", () => {});
      await assertRejects404(() => check(probe));
    }

    const missing = await performAction(mgmtUrl, { op: "purge", vhost: "/", name });
    assertEquals(missing, {
      action: { op: "purge", vhost: "/", name },
      ok: false,
      error: "HTTP 404: Not Found",
    });
    const own = await performAction(mgmtUrl, {
      op: "delete-exchange",
      vhost: "/",
      name: "amq.direct",
    });
    assert(
      !own.ok && /^HTTP 4\d\d: \S/.test(own.error) && !own.error.includes("\n"),
      JSON.stringify(own),
    );
  } finally {
    await conn.close().catch(() => {});
  }
}

async function assertRejects404(check: () => Promise<unknown>): Promise<void> {
  try {
    await check();
  } catch (e) {
    assert(String(e).includes("404"), String(e));
    return;
  }
  throw new Error("expected a 404 NOT_FOUND");
}

Deno.test({
  name: "performAction() [embedded]: purge, delete queue and exchange; refusals in one line",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const broker = await startBroker({ port: 0, httpPort: 0, log: () => {} });
    try {
      await purgeAndDelete(
        broker.url,
        `http://guest:guest@127.0.0.1:${broker.management!.port}`,
        "embedded",
      );
    } finally {
      await broker.close();
    }
  },
});

Deno.test(rabbitmqTest("performAction() [rabbitmq]: the same", async ({ amqpUrl, mgmtUrl }) => {
  await purgeAndDelete(amqpUrl, mgmtUrl, "rabbitmq");
}));

Deno.test("performAction(): a closed port is one line, never a stack trace", async () => {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = l.addr.port;
  l.close();
  const result = await performAction(`http://guest:guest@127.0.0.1:${port}`, {
    op: "purge",
    vhost: "/",
    name: "q",
  });
  assert(
    !result.ok && result.error.length > 0 && !result.error.includes("\n"),
    JSON.stringify(result),
  );
});
