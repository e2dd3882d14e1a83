/**
 * amqplib (the client the dashboard uses) against a tiny server built on the
 * codec: amqplib must decode every frame we encode and we must decode every
 * frame it sends. Needs no RabbitMQ.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import { Buffer } from "node:buffer";
// @ts-types="@types/amqplib"
import amqp from "amqplib";
import {
  type BasicProperties,
  encodeMessageFrames,
  encodeMethodFrame,
  FrameParser,
  type MethodArgs,
  type MethodArgsInput,
  type MethodName,
  type MethodOf,
  PROTOCOL_HEADER,
} from "../../src/amqp/mod.ts";

interface Published {
  args: MethodArgs["basic.publish"];
  properties: BasicProperties;
  body: Uint8Array;
}

interface Seen {
  startOk?: MethodOf<"connection.start-ok">;
  tuneOk?: MethodOf<"connection.tune-ok">;
  published: Published[];
  methods: string[];
}

/** Serves one amqplib connection: handshake, channel, queue.declare, publish, consume, close. */
async function serveOne(conn: Deno.Conn, seen: Seen): Promise<void> {
  const parser = new FrameParser({ frameMax: 4096 });
  const buf = new Uint8Array(65536);
  let header = new Uint8Array(0);
  const send = <N extends MethodName>(ch: number, name: N, args: MethodArgsInput<N> = {}) =>
    conn.write(encodeMethodFrame(ch, name, args));
  let pending: Published | undefined;
  let bodyLeft = 0;
  let consumerTag = "";
  let deliveryTag = 0;

  for (;;) {
    const n = await conn.read(buf);
    if (n === null) return;
    let bytes = buf.slice(0, n);
    if (header.length < 8) {
      const need = 8 - header.length;
      header = new Uint8Array([...header, ...bytes.subarray(0, need)]);
      bytes = bytes.subarray(need);
      if (header.length === 8) {
        assertEquals(header, PROTOCOL_HEADER);
        await send(0, "connection.start", {
          versionMajor: 0,
          versionMinor: 9,
          serverProperties: {
            product: "warren-codec-test",
            capabilities: { publisher_confirms: true, "basic.nack": true },
          },
          mechanisms: "PLAIN AMQPLAIN",
          locales: "en_US",
        });
      }
    }
    parser.push(bytes);
    for (let f = parser.next(); f !== null; f = parser.next()) {
      if (f.type === "header") {
        pending!.properties = f.properties;
        bodyLeft = f.bodySize;
        if (bodyLeft === 0) seen.published.push(pending!);
        continue;
      }
      if (f.type === "body") {
        pending!.body = new Uint8Array([...pending!.body, ...f.payload]);
        bodyLeft -= f.payload.length;
        if (bodyLeft === 0) seen.published.push(pending!);
        continue;
      }
      if (f.type !== "method") continue;
      const { name, args } = f.method;
      const ch = f.channel;
      seen.methods.push(name);
      switch (name) {
        case "connection.start-ok":
          seen.startOk = f.method;
          await send(0, "connection.tune", { channelMax: 8, frameMax: 4096, heartbeat: 0 });
          break;
        case "connection.tune-ok":
          seen.tuneOk = f.method;
          break;
        case "connection.open":
          await send(0, "connection.open-ok");
          break;
        case "channel.open":
          await send(ch, "channel.open-ok");
          break;
        case "queue.declare":
          await send(ch, "queue.declare-ok", {
            queue: args.queue,
            messageCount: seen.published.length,
            consumerCount: 0,
          });
          break;
        case "basic.publish":
          pending = { args, properties: {}, body: new Uint8Array() };
          break;
        case "basic.consume":
          consumerTag = "ctag-1";
          await send(ch, "basic.consume-ok", { consumerTag });
          for (const m of seen.published) {
            await conn.write(encodeMessageFrames({
              channel: ch,
              method: "basic.deliver",
              args: {
                consumerTag,
                deliveryTag: ++deliveryTag,
                redelivered: false,
                exchange: m.args.exchange,
                routingKey: m.args.routingKey,
              },
              properties: m.properties,
              body: m.body,
              frameMax: 4096,
            }));
          }
          break;
        case "basic.cancel":
          await send(ch, "basic.cancel-ok", { consumerTag: args.consumerTag });
          break;
        case "channel.close":
          await send(ch, "channel.close-ok");
          break;
        case "connection.close":
          await send(0, "connection.close-ok");
          conn.close();
          return;
      }
    }
  }
}

Deno.test("amqplib talks to a server built on the codec: handshake, publish, deliver", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const seen: Seen = { published: [], methods: [] };
  const served = listener.accept().then((c) => serveOne(c, seen));
  const props = {
    contentType: "application/json",
    contentEncoding: "utf-8",
    headers: { n: 7, s: "str", ok: true, f: 0.25, list: [1, "two"], nested: { k: "v" } },
    deliveryMode: 2,
    priority: 4,
    correlationId: "c-1",
    replyTo: "amq.rabbitmq.reply-to",
    expiration: "1000",
    messageId: "m-1",
    timestamp: 1_700_000_000,
    type: "t",
    userId: "guest",
    appId: "warren",
  };
  const conn = await amqp.connect(`amqp://guest:secret@127.0.0.1:${listener.addr.port}`);
  try {
    const ch = await conn.createChannel();
    const q = await ch.assertQueue("work", { durable: false });
    assertEquals(q, { queue: "work", messageCount: 0, consumerCount: 0 });
    // Bigger than frame_max: amqplib must split it and we must join it (and back).
    const big = Buffer.alloc(9000, 7);
    ch.publish("", "work", Buffer.from("hello"), props);
    ch.publish("", "work", big, {});
    // A round trip so both publishes have reached the server.
    await ch.assertQueue("work", { durable: false });

    const got = await new Promise<amqp.ConsumeMessage[]>((resolve) => {
      const msgs: amqp.ConsumeMessage[] = [];
      ch.consume("work", (m) => {
        if (m) msgs.push(m);
        if (msgs.length === 2) resolve(msgs);
      }, { noAck: true });
    });
    assertEquals(got[0]!.content.toString(), "hello");
    assertEquals(got[0]!.fields.routingKey, "work");
    assertEquals(got[0]!.fields.deliveryTag, 1);
    const p = got[0]!.properties;
    assertEquals(
      [p.contentType, p.contentEncoding, p.deliveryMode, p.priority, p.correlationId],
      ["application/json", "utf-8", 2, 4, "c-1"],
    );
    assertEquals([p.replyTo, p.expiration, p.messageId, p.timestamp, p.type, p.userId, p.appId], [
      "amq.rabbitmq.reply-to",
      "1000",
      "m-1",
      1_700_000_000,
      "t",
      "guest",
      "warren",
    ]);
    assertEquals(p.headers, props.headers);
    assert(Buffer.compare(got[1]!.content, big) === 0);
    await ch.close();
  } finally {
    await conn.close();
    await served;
    listener.close();
  }

  // What we decoded from amqplib.
  const startOk = seen.startOk!;
  assertEquals(startOk.args.mechanism, "PLAIN");
  assertEquals(new TextDecoder().decode(startOk.args.response as Uint8Array), "\0guest\0secret");
  assert(typeof (startOk.args.clientProperties as Record<string, unknown>).product === "string");
  assertEquals(seen.tuneOk!.args.frameMax, 4096);
  const [first, second] = seen.published;
  assertEquals(first!.args, {
    reserved1: 0,
    exchange: "",
    routingKey: "work",
    mandatory: false,
    immediate: false,
  });
  assertEquals(new TextDecoder().decode(first!.body), "hello");
  const { headers, ...rest } = first!.properties;
  assertEquals(headers, {
    n: 7,
    s: "str",
    ok: true,
    f: 0.25,
    list: [1, "two"],
    nested: { k: "v" },
  });
  const { headers: _sent, ...sentRest } = props;
  assertEquals(rest, sentRest);
  assertEquals(second!.body, new Uint8Array(9000).fill(7));
});
