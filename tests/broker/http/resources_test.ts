/**
 * The management API's writes as a client sees their effect over AMQP:
 * exchanges, queues and bindings declared and deleted, purge, closing a
 * connection, publish and get.
 */
import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { Buffer, openClient } from "../support/amqplib.ts";
import { waitFor, withTimeout } from "../support/timing.ts";
import { testOpts, withApi } from "./support.ts";

Deno.test("management API: PUT and DELETE exchanges and queues", testOpts, async () => {
  await withApi(async ({ call, get, broker }) => {
    const vhost = broker.core.vhosts.get("/")!;
    assertEquals(
      (await call("PUT", "exchanges/%2F/logs", { type: "fanout", durable: false })).status,
      201,
    );
    assertEquals(
      (await call("PUT", "exchanges/%2F/logs", { type: "fanout", durable: false })).status,
      204,
    );
    const x = vhost.exchanges.get("logs")!;
    assertEquals([x.type, x.options.durable], ["fanout", false]);
    // Redeclaring differently is refused with RabbitMQ's text.
    const clash = await call("PUT", "exchanges/%2F/logs", { type: "direct", durable: false });
    assertEquals(clash.status, 400);
    assert(clash.json.reason.includes("inequivalent arg 'type'"), clash.json.reason);

    const put = await call("PUT", "queues/%2F/jobs", {
      durable: true,
      auto_delete: false,
      arguments: { "x-max-length": 3 },
    });
    assertEquals(put.status, 201);
    const q = await get("queues/%2F/jobs");
    assertEquals([q.json.durable, q.json.arguments], [true, { "x-max-length": 3 }]);
    assertEquals(vhost.queues.get("jobs")!.args.maxLength, 3);

    assertEquals((await call("DELETE", "queues/%2F/jobs")).status, 204);
    assertEquals(vhost.queues.has("jobs"), false);
    assertEquals((await call("DELETE", "exchanges/%2F/logs")).status, 204);
    assertEquals(vhost.exchanges.has("logs"), false);
    assertEquals((await call("DELETE", "queues/%2F/jobs")).status, 404);
  });
});

Deno.test("management API: POST and DELETE bindings (by properties_key)", testOpts, async () => {
  await withApi(async ({ call, get, broker }) => {
    await call("PUT", "exchanges/%2F/topics", { type: "topic" });
    await call("PUT", "queues/%2F/errors", {});
    const b = await call("POST", "bindings/%2F/e/topics/q/errors", { routing_key: "*.error" });
    assertEquals(b.status, 201);
    assertEquals(b.headers.get("location"), "errors/%2A.error");
    const bound = (await get("bindings/%2F/e/topics/q/errors")).json;
    assertEquals(bound, [{
      source: "topics",
      vhost: "/",
      destination: "errors",
      destination_type: "queue",
      routing_key: "*.error",
      arguments: {},
      properties_key: "%2A.error",
    }]);
    // Routed over AMQP as the binding says.
    const publish = (key: string) =>
      call("POST", "exchanges/%2F/topics/publish", {
        routing_key: key,
        payload: "m",
        payload_encoding: "string",
        properties: {},
      });
    assertEquals((await publish("disk.error")).json, { routed: true });
    assertEquals((await publish("disk.info")).json, { routed: false });
    // The default exchange's implicit binding is listed first.
    const all = (await get("queues/%2F/errors/bindings")).json;
    assertEquals(all.map((x: { source: string }) => x.source), ["", "topics"]);
    // An exchange-to-exchange binding with arguments, then both deleted by key.
    await call("PUT", "exchanges/%2F/h", { type: "headers" });
    const e2e = await call("POST", "bindings/%2F/e/topics/e/h", {
      routing_key: "",
      arguments: { "x-match": "any" },
    });
    const [dest, key] = e2e.headers.get("location")!.split("/");
    assertEquals(dest, "h");
    assert(/^~[\w-]+$/.test(key!), String(key)); // empty routing key, arguments' hash
    assertEquals((await get("exchanges/%2F/topics/bindings/source")).json.length, 2);
    assertEquals((await call("DELETE", `bindings/%2F/e/topics/e/h/${key}`)).status, 204);
    assertEquals(
      (await call("DELETE", "bindings/%2F/e/topics/q/errors/%252A.error")).status,
      204,
    );
    assertEquals([...broker.core.vhosts.get("/")!.bindings()].length, 0);
    assertEquals((await call("DELETE", "bindings/%2F/e/topics/q/errors/%252A.error")).status, 404);
  });
});

Deno.test("management API: DELETE queue contents purges the ready messages", testOpts, async () => {
  await withApi(async ({ call, get }) => {
    await call("PUT", "queues/%2F/backlog", {});
    for (let i = 0; i < 3; i++) {
      await call("POST", "exchanges/%2F/amq.default/publish", {
        routing_key: "backlog",
        payload: String(i),
        payload_encoding: "string",
      });
    }
    assertEquals((await get("queues/%2F/backlog")).json.messages_ready, 3);
    assertEquals((await call("DELETE", "queues/%2F/backlog/contents")).status, 204);
    assertEquals((await get("queues/%2F/backlog")).json.messages_ready, 0);
  });
});

Deno.test(
  "management API: DELETE connection closes it with 320 and the reason",
  testOpts,
  async () => {
    await withApi(async ({ call, get, broker }) => {
      const client = await openClient(broker.url, {});
      const [conn] = (await get("connections")).json;
      assertEquals(conn.user, "guest");
      assertEquals(conn.client_properties.product, "amqplib");
      const r = await call("DELETE", `connections/${encodeURIComponent(conn.name)}`, undefined, {
        headers: { "x-reason": "lesson over" },
      });
      assertEquals(r.status, 204);
      const closed = await withTimeout(client.closed, 3000, "connection closed");
      assertEquals(closed?.code, 320);
      assert(closed?.message.includes("CONNECTION_FORCED - lesson over"), closed?.message);
      // The broker forgets the connection once the client's close-ok has come back.
      await waitFor(
        async () => (await get("connections")).json.length === 0,
        "the closed connection to leave the list",
      );
    });
  },
);

Deno.test("management API: POST get with each ackmode and encoding", testOpts, async () => {
  await withApi(async ({ call, get, broker }) => {
    await call("PUT", "queues/%2F/inbox", {});
    const send = (payload: string, payload_encoding: string, properties = {}) =>
      call("POST", "exchanges/%2F/amq.default/publish", {
        routing_key: "inbox",
        payload,
        payload_encoding,
        properties,
      });
    await send("hello", "string", { content_type: "text/plain", headers: { n: 1 } });
    await send(btoa("\u00ff\u00fe"), "base64"); // not UTF-8: comes back as base64
    const getMsgs = (body: Record<string, unknown>) =>
      call("POST", "queues/%2F/inbox/get", { count: 5, encoding: "auto", ...body });

    // ack_requeue_true: seen, still there, now redelivered.
    const first = (await getMsgs({ ackmode: "ack_requeue_true" })).json;
    assertEquals(first.length, 2);
    assertEquals(first[0], {
      payload_bytes: 5,
      redelivered: false,
      exchange: "",
      routing_key: "inbox",
      message_count: 1,
      properties: { content_type: "text/plain", headers: { n: 1 } },
      payload: "hello",
      payload_encoding: "string",
    });
    assertEquals([first[1].payload, first[1].payload_encoding], [btoa("\u00ff\u00fe"), "base64"]);
    assertEquals(first[1].properties, []);
    // encoding base64 and truncate.
    const b64 = (await getMsgs({ ackmode: "reject_requeue_true", encoding: "base64", truncate: 2 }))
      .json;
    assertEquals([b64[0].payload, b64[0].payload_encoding, b64[0].redelivered], [
      btoa("he"),
      "base64",
      true,
    ]);
    assertEquals((await get("queues/%2F/inbox")).json.messages, 2);
    // ack_requeue_false: gone. (rabbitmqadmin sends the count as a string; RabbitMQ takes it.)
    assertEquals((await getMsgs({ ackmode: "ack_requeue_false", count: "1" })).json.length, 1);
    assertEquals((await get("queues/%2F/inbox")).json.messages, 1);
    assertEquals(broker.core.vhosts.get("/")!.queues.get("inbox")!.unackedCount, 0);
    const bad = await getMsgs({ ackmode: "keep_it" });
    assertEquals(bad.status, 400);
    // What is left is delivered over AMQP as usual.
    const client = await openClient(broker.url, {});
    try {
      const ch = await client.channel();
      const m = await ch.get("inbox", { noAck: true });
      assert(m);
      assertEquals(Buffer.from(m.content).toString("latin1"), "\u00ff\u00fe");
    } finally {
      await client.close();
    }
  });
});

Deno.test("management API: PUT and DELETE users and vhosts", testOpts, async () => {
  await withApi(async ({ call, get, broker }) => {
    assertEquals((await call("PUT", "vhosts/class1")).status, 201);
    assertEquals(
      (await call("PUT", "users/ann", { password: "s3cret", tags: "management" })).status,
      201,
    );
    const all = { configure: ".*", write: ".*", read: ".*" };
    assertEquals((await call("PUT", "permissions/class1/ann", all)).status, 201);
    const ann = (await get("users/ann")).json;
    assertEquals([ann.name, ann.tags, ann.hashing_algorithm], [
      "ann",
      ["management"],
      "rabbit_password_hashing_sha256",
    ]);
    assert(!JSON.stringify(ann).includes("s3cret"));
    // The new user logs in over AMQP to the new vhost, and to the API with her tag.
    const client = await openClient(broker.url, {
      username: "ann",
      password: "s3cret",
      vhost: "class1",
    });
    assertEquals(
      (await call("GET", "whoami", undefined, { auth: "ann:s3cret" })).json.name,
      "ann",
    );
    const [conn] = (await get("connections")).json;
    assertEquals([conn.user, conn.vhost], ["ann", "class1"]);
    assertEquals((await get("vhosts/class1/connections")).json.length, 1);
    assertEquals((await get("vhosts/%2F/connections")).json, []);
    await client.channel();
    const [ch] = (await get("vhosts/class1/channels")).json;
    assertEquals((await get(`channels/${encodeURIComponent(ch.name)}`)).json.number, 1);
    assertEquals((await call("PUT", "users/ann", { password_hash: "x" })).status, 400);
    // Deleting the vhost disconnects its clients.
    assertEquals((await call("DELETE", "vhosts/class1")).status, 204);
    const closed = await withTimeout(client.closed, 3000, "connection closed");
    assertEquals(closed?.code, 320);
    assertEquals((await call("DELETE", "users/ann")).status, 204);
    assertEquals((await call("GET", "whoami", undefined, { auth: "ann:s3cret" })).status, 401);
    assertEquals((await get("vhosts/class1")).status, 404);
    // The vhost's permissions went with it.
    assertEquals((await get("permissions/class1/ann")).status, 404);
  });
});
