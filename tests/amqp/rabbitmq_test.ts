/**
 * The codec against a real RabbitMQ: if RabbitMQ accepts our frames and we
 * decode its replies, the byte layouts agree with the reference broker.
 * Runs only when RABBITMQ_URL is set.
 */

import { deepStrictEqual as assertEquals, ok as assert } from "node:assert/strict";
import {
  AmqpDecimal,
  encodeMessageFrames,
  encodeMethodFrame,
  fieldValue,
  type Frame,
  FrameParser,
  type MethodArgsInput,
  type MethodName,
  type MethodOf,
  PROTOCOL_HEADER,
} from "../../src/amqp/mod.ts";

const url = Deno.env.get("RABBITMQ_URL");
const suffix = url ? "" : " (skipped: RABBITMQ_URL not set)";

/** A minimal client over the codec: enough to drive the broker from a test. */
class TestClient {
  #parser = new FrameParser({ frameMax: 4096 });
  #buf = new Uint8Array(65536);
  frameMax = 4096;

  private constructor(readonly conn: Deno.TcpConn) {}

  static async open(amqpUrl: string): Promise<TestClient> {
    const u = new URL(amqpUrl);
    const conn = await Deno.connect({ hostname: u.hostname, port: Number(u.port || 5672) });
    const c = new TestClient(conn);
    await c.write(PROTOCOL_HEADER);
    const start = await c.expect(0, "connection.start");
    assertEquals([start.args.versionMajor, start.args.versionMinor], [0, 9]);
    const user = decodeURIComponent(u.username || "guest");
    const pass = decodeURIComponent(u.password || "guest");
    await c.send(0, "connection.start-ok", {
      clientProperties: { product: "warren codec test" },
      mechanism: "PLAIN",
      response: `\0${user}\0${pass}`,
      locale: "en_US",
    });
    const tune = await c.expect(0, "connection.tune");
    c.frameMax = Math.min(tune.args.frameMax as number || 131072, 131072);
    c.#parser.frameMax = c.frameMax;
    await c.send(0, "connection.tune-ok", {
      channelMax: 16,
      frameMax: c.frameMax,
      heartbeat: 0,
    });
    const vhost = decodeURIComponent(u.pathname.slice(1)) || "/";
    await c.send(0, "connection.open", { virtualHost: vhost });
    await c.expect(0, "connection.open-ok");
    return c;
  }

  write(bytes: Uint8Array): Promise<number> {
    return this.conn.write(bytes);
  }

  send<N extends MethodName>(
    channel: number,
    name: N,
    args: MethodArgsInput<N> = {},
  ): Promise<number> {
    return this.write(encodeMethodFrame(channel, name, args));
  }

  async frame(): Promise<Frame> {
    for (;;) {
      const f = this.#parser.next();
      if (f) return f;
      const n = await this.conn.read(this.#buf);
      if (n === null) throw new Error("connection closed by broker");
      this.#parser.push(this.#buf.slice(0, n));
    }
  }

  async expect<N extends MethodName>(channel: number, name: N): Promise<MethodOf<N>> {
    const f = await this.frame();
    assert(f.type === "method", `expected ${name}, got a ${f.type} frame`);
    assertEquals(
      [f.channel, f.method.name],
      [channel, name],
      `expected ${name}, got ${f.method.name} ${JSON.stringify(f.method.args)}`,
    );
    return f.method as MethodOf<N>; // the name was just checked
  }

  async close(): Promise<void> {
    await this.send(0, "connection.close", { replyCode: 200, replyText: "bye" });
    await this.expect(0, "connection.close-ok");
    this.conn.close();
  }
}

Deno.test({
  name: `RabbitMQ routes and returns a message with every property and header type${suffix}`,
  ignore: !url,
  sanitizeResources: true,
  fn: async () => {
    const c = await TestClient.open(url!);
    try {
      await c.send(1, "channel.open");
      await c.expect(1, "channel.open-ok");
      await c.send(1, "queue.declare", { exclusive: true, autoDelete: true });
      const ok = await c.expect(1, "queue.declare-ok");
      const queue = ok.args.queue as string;
      assert(queue.startsWith("amq.gen-"));
      // A headers binding makes RabbitMQ parse our header table to route.
      await c.send(1, "queue.bind", {
        queue,
        exchange: "amq.headers",
        arguments: { "x-match": "all", route: "yes" },
      });
      await c.expect(1, "queue.bind-ok");

      const headers = {
        route: "yes",
        t: true,
        b: fieldValue("b", -2),
        B: fieldValue("B", 200),
        s: fieldValue("s", -300),
        u: fieldValue("u", 60000),
        I: -70000,
        i: fieldValue("i", 4_000_000_000),
        l: 2 ** 40,
        f: fieldValue("f", 1.5),
        d: 2.25,
        D: new AmqpDecimal(2, 12345),
        S: "hé",
        x: new Uint8Array([1, 2]),
        A: [1, "a", [true]],
        T: new Date(1_700_000_000_000),
        F: { k: null },
        V: null,
      };
      const properties = {
        contentType: "text/plain",
        contentEncoding: "utf-8",
        headers,
        deliveryMode: 2,
        priority: 3,
        correlationId: "corr",
        replyTo: "reply",
        expiration: "60000",
        messageId: "m1",
        timestamp: 1_700_000_000,
        type: "kind",
        userId: decodeURIComponent(new URL(url!).username || "guest"),
        appId: "warren",
        clusterId: "cluster",
      };
      // Larger than frame_max, so the body is split across frames.
      const body = new Uint8Array(c.frameMax * 2 + 17).map((_, i) => i & 0xff);
      await c.write(encodeMessageFrames({
        channel: 1,
        method: "basic.publish",
        args: { exchange: "amq.headers", routingKey: "", mandatory: true },
        properties,
        body,
        frameMax: c.frameMax,
      }));
      await c.send(1, "basic.get", { queue, noAck: true });
      const got = await c.expect(1, "basic.get-ok");
      assertEquals(got.args.exchange, "amq.headers");
      const header = await c.frame();
      assert(header.type === "header");
      assertEquals(header.bodySize, body.length);
      assertEquals(header.properties, {
        ...properties,
        headers: {
          ...headers,
          b: -2,
          B: 200,
          s: -300,
          u: 60000,
          i: 4_000_000_000,
          f: 1.5,
        },
      });
      const parts: Uint8Array[] = [];
      let size = 0;
      while (size < body.length) {
        const f = await c.frame();
        assert(f.type === "body");
        parts.push(f.payload);
        size += f.payload.length;
      }
      assert(parts.length >= 3);
      const joined = new Uint8Array(size);
      parts.reduce((off, p) => (joined.set(p, off), off + p.length), 0);
      assertEquals(joined, body);
    } finally {
      await c.close();
    }
  },
});

Deno.test({
  name: `RabbitMQ's basic.return, confirm basic.ack and channel.close decode${suffix}`,
  ignore: !url,
  fn: async () => {
    const c = await TestClient.open(url!);
    try {
      await c.send(1, "channel.open");
      await c.expect(1, "channel.open-ok");
      await c.send(1, "confirm.select");
      await c.expect(1, "confirm.select-ok");
      await c.write(encodeMessageFrames({
        channel: 1,
        method: "basic.publish",
        args: {
          exchange: "amq.direct",
          routingKey: "nowhere-" + crypto.randomUUID(),
          mandatory: true,
        },
        properties: {},
        body: new TextEncoder().encode("x"),
        frameMax: c.frameMax,
      }));
      const ret = await c.expect(1, "basic.return");
      assertEquals([ret.args.replyCode, ret.args.replyText], [312, "NO_ROUTE"]);
      const h = await c.frame();
      assertEquals(h.type, "header");
      const b = await c.frame();
      assert(b.type === "body");
      const ack = await c.expect(1, "basic.ack");
      assertEquals([ack.args.deliveryTag, ack.args.multiple], [1, false]);
      // A passive declare of a missing queue: a soft error closes the channel.
      await c.send(1, "queue.declare", { queue: "missing-" + crypto.randomUUID(), passive: true });
      const close = await c.expect(1, "channel.close");
      assertEquals([close.args.replyCode, close.args.classId, close.args.methodId], [404, 50, 10]);
      await c.send(1, "channel.close-ok");
    } finally {
      await c.close();
    }
  },
});
