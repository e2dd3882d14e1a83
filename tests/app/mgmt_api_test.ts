/**
 * The management API client against the embedded broker (port 0, httpPort
 * 0) and, when RABBITMQ_MGMT_URL is set, against RabbitMQ: a queue declared
 * by an outside client with 3 messages reads back with its count, its
 * binding and its consumer; a wrong password and a closed port are said
 * without the password.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import amqp from "amqplib";
import { Buffer } from "node:buffer";
import { mgmtRequest, type RabbitData, readRabbit } from "../../src/app/mgmt_api.ts";
import { startBroker } from "../../src/broker/server.ts";
import { rabbitmqTest } from "./support/rabbitmq_env.ts";

Deno.test("mgmtRequest() moves the URL's credentials into a basic auth header", () => {
  const { url, headers } = mgmtRequest("http://bob:s%40cret@h:15672", "/api/overview");
  assertEquals(url, "http://h:15672/api/overview");
  assertEquals(headers.get("authorization"), `Basic ${btoa("bob:s@cret")}`);
});

/** Reads until `ok` holds (the API's figures follow the broker within its sampling). */
async function readUntil(mgmtUrl: string, ok: (d: RabbitData) => boolean): Promise<RabbitData> {
  let last: unknown;
  for (let i = 0; i < 100; i++) {
    const read = await readRabbit(mgmtUrl, { timeoutMs: 2000 });
    if ("data" in read && ok(read.data)) return read.data;
    last = read;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never true; last read: ${JSON.stringify(last).slice(0, 400)}`);
}

async function queueWithThree(amqpUrl: string, mgmtUrl: string, kind: string): Promise<void> {
  const name = `warren.mgmt-api-test.${kind}.${crypto.randomUUID().slice(0, 8)}`;
  const conn = await amqp.connect(amqpUrl);
  try {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue(name, { durable: false, autoDelete: false });
    await ch.assertExchange(`${name}.x`, "topic", { durable: false, autoDelete: false });
    await ch.bindQueue(name, `${name}.x`, "a.*");
    for (let i = 0; i < 3; i++) ch.sendToQueue(name, Buffer.from(`m${i}`));
    await ch.waitForConfirms();
    const data = await readUntil(
      mgmtUrl,
      (d) => d.queues.some((q) => q.name === name && q.ready === 3),
    );
    const queue = data.queues.find((q) => q.name === name)!;
    assertEquals([queue.ready, queue.unacked, queue.durable, queue.exclusive], [
      3,
      0,
      false,
      false,
    ]);
    assert(data.exchanges.some((e) => e.name === `${name}.x` && e.type === "topic"));
    assert(
      data.bindings.some((b) =>
        b.source === `${name}.x` && b.destination === name && b.routingKey === "a.*"
      ),
    );
    assert(data.overview.queues >= 1 && data.overview.version !== "");
    // A consumer shows with its queue, ack mode and prefetch.
    const consumerCh = await conn.createChannel();
    await consumerCh.prefetch(7);
    const { consumerTag } = await consumerCh.consume(name, () => {}, { noAck: false });
    const withConsumer = await readUntil(
      mgmtUrl,
      (d) => d.consumers.some((c) => c.tag === consumerTag),
    );
    const consumer = withConsumer.consumers.find((c) => c.tag === consumerTag)!;
    assertEquals([consumer.queue, consumer.ackRequired, consumer.prefetch], [name, true, 7]);
    assert(withConsumer.connections.length >= 1 && withConsumer.channels.length >= 2);
    await consumerCh.close();
    await ch.deleteQueue(name);
    await ch.deleteExchange(`${name}.x`);
  } finally {
    await conn.close();
  }
}

Deno.test({
  name: "readRabbit() [embedded]: a queue with 3 messages, its binding and its consumer",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const broker = await startBroker({ port: 0, httpPort: 0, log: () => {} });
    try {
      const mgmtUrl = `http://guest:guest@127.0.0.1:${broker.management!.port}`;
      await queueWithThree(broker.url, mgmtUrl, "embedded");
    } finally {
      await broker.close();
    }
  },
});

Deno.test(rabbitmqTest("readRabbit() [rabbitmq]: the same", async ({ amqpUrl, mgmtUrl }) => {
  await queueWithThree(amqpUrl, mgmtUrl, "rabbitmq");
}));

Deno.test("readRabbit(): a wrong password and a closed port, said without the password", async () => {
  const broker = await startBroker({ port: 0, httpPort: 0, log: () => {} });
  try {
    const port = broker.management!.port;
    assertEquals(await readRabbit(`http://guest:wrong@127.0.0.1:${port}`), {
      error: { state: "unreachable", error: "401: wrong user or password" },
    });
  } finally {
    await broker.close();
  }
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closed = l.addr.port;
  l.close();
  const gone = await readRabbit(`http://guest:hunter2@127.0.0.1:${closed}`);
  assert("error" in gone && !JSON.stringify(gone).includes("hunter2"), JSON.stringify(gone));
});

/** A vhost with a queue of 3 messages, read scoped: only its lists, its own totals. */
async function scopedRead(amqpUrl: string, mgmtUrl: string): Promise<void> {
  const vhost = `warren-scope-${crypto.randomUUID().slice(0, 8)}`;
  const put = async (path: string, body: unknown, method = "PUT") => {
    const { url, headers } = mgmtRequest(mgmtUrl, `/api/${path}`);
    headers.set("content-type", "application/json");
    const res = await fetch(url, { method, headers, body: JSON.stringify(body) });
    await res.body?.cancel();
    assert(res.ok, `${method} ${path}: ${res.status}`);
  };
  const v = encodeURIComponent(vhost);
  const user = decodeURIComponent(new URL(amqpUrl).username || "guest");
  await put(`vhosts/${v}`, {});
  await put(`permissions/${v}/${user}`, { configure: ".*", write: ".*", read: ".*" });
  const url = new URL(amqpUrl);
  url.pathname = `/${v}`;
  const conn = await amqp.connect(url.href);
  try {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue("scoped.q", { durable: false });
    for (let i = 0; i < 3; i++) ch.sendToQueue("scoped.q", Buffer.from(`m${i}`));
    await ch.waitForConfirms();
    // RabbitMQ's figures and its connection list come with its statistics
    // (every 5 s, each on its own): read until both have caught up.
    let data: RabbitData | undefined;
    const caughtUp = (d: RabbitData | undefined) =>
      d?.overview.ready === 3 && d.connections.length === 1;
    for (let i = 0; i < 150 && !caughtUp(data); i++) {
      const read = await readRabbit(mgmtUrl, { vhost, timeoutMs: 2000 });
      if ("data" in read) data = read.data;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert(data !== undefined);
    assertEquals(data.queues.map((q) => [q.vhost, q.name, q.ready]), [[vhost, "scoped.q", 3]]);
    assert(data.exchanges.every((x) => x.vhost === vhost) && data.exchanges.length >= 6);
    assertEquals(data.connections.length, 1);
    const o = data.overview;
    assertEquals([o.vhost, o.queues, o.exchanges, o.connections, o.ready, o.unacked], [
      vhost,
      1,
      data.exchanges.length,
      1,
      3,
      0,
    ]);
  } finally {
    await conn.close();
    await put(`vhosts/${v}`, undefined, "DELETE");
  }
}

Deno.test({
  name: "readRabbit() scoped to a vhost [embedded]: its lists only, its own totals",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const broker = await startBroker({ port: 0, httpPort: 0, log: () => {} });
    try {
      await scopedRead(broker.url, `http://guest:guest@127.0.0.1:${broker.management!.port}`);
    } finally {
      await broker.close();
    }
  },
});

Deno.test(rabbitmqTest("readRabbit() scoped to a vhost [rabbitmq]: the same", async (urls) => {
  await scopedRead(urls.amqpUrl, urls.mgmtUrl);
}));

Deno.test({
  name: "readRabbit() scoped to a vhost [embedded]: a student's management user reads their own",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const broker = await startBroker({ port: 0, httpPort: 0, log: () => {} });
    try {
      const base = `http://127.0.0.1:${broker.management!.port}`;
      const users = broker.core.users;
      users.addVhost("ann");
      users.putUser({ name: "ann", password: "pw", tags: ["management"] });
      users.setPermission("ann", "ann", { configure: ".*", write: ".*", read: ".*" });
      const read = await readRabbit(`http://ann:pw@${new URL(base).host}`, { vhost: "ann" });
      assert("data" in read, JSON.stringify(read));
      assertEquals(read.data.overview.vhost, "ann");
      const other = await readRabbit(`http://ann:pw@${new URL(base).host}`, { vhost: "/" });
      assert("error" in other, "no access to another vhost");
    } finally {
      await broker.close();
    }
  },
});
